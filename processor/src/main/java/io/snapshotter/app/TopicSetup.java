package io.snapshotter.app;

import io.snapshotter.config.ProcessorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the events, snapshots and dead-letter topics when they are missing (the snapshot topic
 * compacted), and refuses to start on a snapshot topic that is not compacted: the topic is read as
 * "latest snapshot per aggregate", which only compaction keeps.
 */
final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    static void ensureTopics(Admin admin, ProcessorConfig config) throws InterruptedException {
        int partitions = config.getInt(ProcessorConfig.TOPICS_PARTITIONS);
        short replication = config.getShort(ProcessorConfig.TOPICS_REPLICATION_FACTOR);
        Optional<Short> rf = replication < 0 ? Optional.empty() : Optional.of(replication);
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(config.eventsTopic(), Optional.of(partitions), rf));
        wanted.add(new NewTopic(config.snapshotsTopic(), Optional.of(partitions), rf)
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
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
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot set up topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    static void requireCompacted(Admin admin, String topic) throws ExecutionException, InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new IllegalStateException("Snapshot topic '" + topic + "' has cleanup.policy=" + policy
                + "; it must be compacted (cleanup.policy=compact) to keep the latest snapshot of every aggregate");
        }
    }
}
