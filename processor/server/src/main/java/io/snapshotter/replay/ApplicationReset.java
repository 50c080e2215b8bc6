package io.snapshotter.replay;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * The steps of Kafka's application reset tool ({@code kafka-streams-application-reset}), done with
 * the Admin client: refuse while the group has members, set the input offsets, delete the internal
 * topics (changelogs and repartition topics, found by the names Kafka Streams gives them); unlike
 * the tool, the replay then wipes this host's local state ({@code ProcessorApp.wipeLocalState}).
 */
final class ApplicationReset {

    private final Admin admin;
    private final String applicationId;

    ApplicationReset(Admin admin, String applicationId) {
        this.admin = admin;
        this.applicationId = applicationId;
    }

    /** @throws ReplayRefusedException if instances of the application are members of its consumer group */
    void requireNoActiveMembers() throws InterruptedException {
        ConsumerGroupDescription group;
        try {
            group = admin.describeConsumerGroups(List.of(applicationId)).all().get().get(applicationId);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return;
            }
            throw new IllegalStateException("Cannot describe consumer group '" + applicationId + "': "
                + e.getCause().getMessage(), e.getCause());
        }
        Collection<MemberDescription> members = group.members();
        if (!members.isEmpty()) {
            String who = members.stream().map(m -> m.clientId() + " on " + m.host()).sorted().collect(Collectors.joining(", "));
            throw new ReplayRefusedException("Cannot replay: " + members.size() + " instance(s) of application '"
                + applicationId + "' are still members of its consumer group (" + who + "). Stop every instance "
                + "first (or wait for session.timeout.ms after a crash), then run the replay again.");
        }
    }

    /** The application's changelog and repartition topics, by Kafka Streams' naming. */
    Set<String> internalTopics() throws InterruptedException {
        try {
            return admin.listTopics().names().get().stream()
                .filter(t -> t.startsWith(applicationId + "-") && (t.endsWith("-changelog") || t.endsWith("-repartition")))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot list topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Deletes {@code topics} and waits until the broker no longer lists them, so they can be made anew. */
    void deleteTopics(Set<String> topics) throws InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        try {
            admin.deleteTopics(topics).all().get();
            while (admin.listTopics().names().get().stream().anyMatch(topics::contains)) {
                Thread.sleep(100);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot delete " + topics + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Creates a compacted topic, as Kafka Streams creates a changelog. */
    void createChangelog(String topic, int partitions) throws InterruptedException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty())
                .configs(Map.of("cleanup.policy", "compact")))).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Sets the group's committed offsets, as the reset tool does for the input topics. */
    void commitOffsets(Map<TopicPartition, Long> offsets) throws InterruptedException {
        try {
            admin.alterConsumerGroupOffsets(applicationId, offsets.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue())))).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot set the offsets of group '" + applicationId + "': "
                + e.getCause().getMessage(), e.getCause());
        }
    }
}
