package io.snapshotter.app;

import io.snapshotter.config.ProcessorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import io.snapshotter.topology.SnapshotTopology;
import io.snapshotter.topology.TopologyConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the events, snapshots and dead-letter topics when they are missing (the events topic
 * kept forever, the snapshot topic compacted), and refuses to start on a snapshot topic that is not compacted: the topic is read as
 * "latest snapshot per aggregate", which only compaction keeps. The snapshot requests topic is
 * created with the event topic's partition count and refused with another: a request must reach the
 * task that holds its aggregate.
 */
final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final int DESCRIBE_ATTEMPTS = 10;

    private TopicSetup() {
    }

    /**
     * Makes sure the topics the processor writes accept the largest records it writes: the snapshot
     * topic and the store's changelog a state of {@code snapshot.max.bytes}, the dead-letter topic any
     * record the events topic accepted (or a snapshot the relay sets aside). With {@code topics.create}
     * a topic that is too small is raised, otherwise startup stops naming it.
     *
     * @return the largest record the events topic accepts ({@code max.message.bytes})
     */
    static int ensureRecordSizes(Admin admin, ProcessorConfig config) throws ExecutionException, InterruptedException {
        int events = maxMessageBytes(admin, config.eventsTopic());
        int state = config.topology().maxStateRecordBytes();
        int deadLetters = config.topology().maxDeadLetterBytes(events);
        boolean raise = config.getBoolean(ProcessorConfig.TOPICS_CREATE);
        requireMaxMessageBytes(admin, config.snapshotsTopic(), state, raise);
        requireMaxMessageBytes(admin, config.deadLetterTopic(), deadLetters, raise);
        String changelog = config.applicationId() + "-" + SnapshotTopology.AGGREGATES_STORE + "-changelog";
        if (admin.listTopics().names().get().contains(changelog)) {
            requireMaxMessageBytes(admin, changelog, state, raise);
        }
        return events;
    }

    private static void requireMaxMessageBytes(Admin admin, String topic, int required, boolean raise)
            throws ExecutionException, InterruptedException {
        int actual = maxMessageBytes(admin, topic);
        if (actual >= required) {
            return;
        }
        if (!raise) {
            throw new IllegalStateException("Topic '" + topic + "' accepts records of up to " + actual + " bytes "
                + "(max.message.bytes) but the processor writes up to " + required + " to it (from "
                + TopologyConfig.SNAPSHOT_MAX_BYTES + " and the events topic's max.message.bytes); raise it, set "
                + ProcessorConfig.TOPICS_CREATE + "=true to let the processor do it, or lower "
                + TopologyConfig.SNAPSHOT_MAX_BYTES);
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
            new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(required)),
            AlterConfigOp.OpType.SET)))).all().get();
        LOG.info("Raised max.message.bytes of topic {} from {} to {}", topic, actual, required);
    }

    private static int maxMessageBytes(Admin admin, String topic) throws ExecutionException, InterruptedException {
        try {
            return Integer.parseInt(topicConfig(admin, topic).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read max.message.bytes of topic '" + topic + "': "
                + e.getCause().getMessage(), e.getCause());
        }
    }

    static void ensureTopics(Admin admin, ProcessorConfig config) throws InterruptedException {
        int partitions = config.getInt(ProcessorConfig.TOPICS_PARTITIONS);
        short replication = config.getShort(ProcessorConfig.TOPICS_REPLICATION_FACTOR);
        Optional<Short> rf = replication < 0 ? Optional.empty() : Optional.of(replication);
        List<NewTopic> wanted = new ArrayList<>();
        // the event store: its whole history is what a replay folds again, so time never deletes it
        wanted.add(new NewTopic(config.eventsTopic(), Optional.of(partitions), rf)
            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")));
        wanted.add(new NewTopic(config.snapshotsTopic(), Optional.of(partitions), rf)
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                Integer.toString(config.topology().maxStateRecordBytes()))));
        wanted.add(new NewTopic(config.deadLetterTopic(), Optional.of(partitions), rf));
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get();
                    LOG.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            requireCompacted(admin, config.snapshotsTopic());
            ensureSnapshotRequestsTopic(admin, config, rf);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot set up topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static void ensureSnapshotRequestsTopic(Admin admin, ProcessorConfig config, Optional<Short> rf)
            throws ExecutionException, InterruptedException {
        String requests = config.snapshotRequestsTopic();
        if (!admin.listTopics().names().get().contains(requests)) {
            int partitions = partitionsOf(admin, config.eventsTopic());
            try {
                admin.createTopics(List.of(new NewTopic(requests, Optional.of(partitions), rf))).all().get();
                LOG.info("Created topic {} with {} partitions, as {}", requests, partitions, config.eventsTopic());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        requireCoPartitioned(admin, config);
    }

    /** The snapshot requests topic must have the event topic's partition count (both keyed by aggregateId). */
    static void requireCoPartitioned(Admin admin, ProcessorConfig config) throws ExecutionException, InterruptedException {
        String requests = config.snapshotRequestsTopic();
        int events = partitionsOf(admin, config.eventsTopic());
        int requestPartitions = partitionsOf(admin, requests);
        if (events != requestPartitions) {
            throw new IllegalStateException("Snapshot requests topic '" + requests + "' has " + requestPartitions
                + " partitions but the events topic '" + config.eventsTopic() + "' has " + events + "; they must be equal "
                + "so that a request reaches the task holding its aggregate");
        }
    }

    /** Partitions of {@code topic}. */
    static int partitionsOf(Admin admin, String topic) throws ExecutionException, InterruptedException {
        return onceKnown(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size());
    }

    /** A broker call about a topic created a moment ago: the broker may not know the topic for a moment. */
    private static <T> T onceKnown(AdminCall<T> call) throws ExecutionException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == DESCRIBE_ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(100L * attempt);
            }
        }
    }

    static void requireCompacted(Admin admin, String topic) throws ExecutionException, InterruptedException {
        String policy = topicConfig(admin, topic).get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new IllegalStateException("Snapshot topic '" + topic + "' has cleanup.policy=" + policy
                + "; it must be compacted (cleanup.policy=compact) to keep the latest snapshot of every aggregate");
        }
    }

    /** The effective configuration of {@code topic}, once the broker knows it. */
    private static Config topicConfig(Admin admin, String topic) throws ExecutionException, InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return onceKnown(() -> admin.describeConfigs(List.of(resource)).all().get().get(resource));
    }

    private interface AdminCall<T> {
        T get() throws ExecutionException, InterruptedException;
    }
}
