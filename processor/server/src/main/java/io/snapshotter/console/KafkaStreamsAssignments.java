package io.snapshotter.console;

import io.snapshotter.query.Instance;
import io.snapshotter.topology.SnapshotTopology;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.StreamsException;

/** {@link Assignments} from a running {@link KafkaStreams}' metadata. */
public final class KafkaStreamsAssignments implements Assignments {

    private static final Comparator<TopicPartition> BY_TOPIC_AND_PARTITION =
        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final KafkaStreams streams;

    public KafkaStreamsAssignments(KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public String state() {
        return streams.state().name();
    }

    @Override
    public List<Member> members() {
        if (!streams.state().isRunningOrRebalancing()) {
            return List.of();
        }
        Collection<StreamsMetadata> all;
        try {
            all = streams.metadataForAllStreamsClients();
        } catch (StreamsException | IllegalStateException e) {
            return List.of();  // stopped since the check
        }
        return all.stream()
            .filter(member -> member.port() > 0)  // an instance without application.server cannot be named
            .map(member -> new Member(new Instance(member.host(), member.port()), partitions(member.topicPartitions()),
                partitions(member.standbyTopicPartitions())))
            .sorted(Comparator.comparing(member -> member.instance().toString()))
            .toList();
    }

    /**
     * An active task's lag is its end offsets less its committed offsets, as its thread last saw
     * them; a standby task's is its store's changelog lag, which asks the broker (only when there is one).
     */
    @Override
    public List<Task> localTasks() {
        Set<ThreadMetadata> threads = streams.metadataForLocalThreads();
        Map<Integer, LagInfo> storeLags = threads.stream().anyMatch(thread -> !thread.standbyTasks().isEmpty())
            ? storeLags() : Map.of();
        List<Task> tasks = new ArrayList<>();
        for (ThreadMetadata thread : threads) {
            thread.activeTasks().forEach(task -> tasks.add(new Task(task.taskId().toString(), true, inputs(task), null)));
            thread.standbyTasks().forEach(task -> {
                LagInfo lag = storeLags.get(task.taskId().partition());
                tasks.add(new Task(task.taskId().toString(), false, inputs(task), lag == null ? null : lag.offsetLag()));
            });
        }
        tasks.sort(Comparator.comparing(Task::id).thenComparing(task -> !task.active()));
        return tasks;
    }

    private Map<Integer, LagInfo> storeLags() {
        try {
            Map<Integer, LagInfo> lags = streams.allLocalStorePartitionLags().get(SnapshotTopology.AGGREGATES_STORE);
            return lags == null ? Map.of() : lags;
        } catch (StreamsException e) {
            return Map.of();  // the broker did not answer: shown as not known
        }
    }

    private static List<Input> inputs(TaskMetadata task) {
        return task.topicPartitions().stream().sorted(BY_TOPIC_AND_PARTITION)
            .map(tp -> new Input(new Partition(tp.topic(), tp.partition()), lag(task, tp)))
            .toList();
    }

    private static Long lag(TaskMetadata task, TopicPartition partition) {
        Long end = task.endOffsets().get(partition);
        Long committed = task.committedOffsets().get(partition);
        return end == null || committed == null || end < 0 || committed < 0 ? null : Math.max(0, end - committed);
    }

    private static List<Partition> partitions(Set<TopicPartition> partitions) {
        return partitions.stream().sorted(BY_TOPIC_AND_PARTITION).map(tp -> new Partition(tp.topic(), tp.partition()))
            .toList();
    }
}
