package io.snapshotter.tests.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.testkit.EmbeddedKafka;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topics the processor writes accept the largest records it writes: a dead letter of any record
 * the events topic accepts, a state of {@code snapshot.max.bytes} on the snapshot topic.
 */
class RecordSizesTest {

    private static final int EVENTS_MAX = 4 * 1024 * 1024;
    private static final int OVERHEAD = 64 * 1024;

    private static EmbeddedKafka kafka;
    private static Admin admin;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        admin.close();
        kafka.close();
    }

    /** An events topic accepting 4 MiB records and a dead-letter topic at the broker's default (1 MiB). */
    private Map<String, String> existingTopics(String app) throws Exception {
        admin.createTopics(List.of(
            new NewTopic(app + "-events", 2, (short) 1)
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(EVENTS_MAX))),
            new NewTopic(app + "-requests", 2, (short) 1),
            new NewTopic(app + "-dlq", 2, (short) 1))).all().get();
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        values.put("kafka.application.id", app);
        values.put("kafka.state.dir", stateDir.toString());
        values.put("schema.registry.url", "mock://" + app);
        values.put("topic.events", app + "-events");
        values.put("topic.snapshots", app + "-snapshots");
        values.put("topic.dead.letters", app + "-dlq");
        values.put("topic.snapshot.requests", app + "-requests");
        values.put("topics.partitions", "2");
        values.put("snapshot.max.bytes", Integer.toString(2 * 1024 * 1024));
        values.put("http.enabled", "false");
        return values;
    }

    private static int maxMessageBytes(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return Integer.parseInt(admin.describeConfigs(List.of(resource)).all().get().get(resource)
            .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
    }

    @Test
    void shouldRaiseTheDeadLetterTopicToTheEventsTopicsLimitAndCreateTheSnapshotTopicForTheLargestState()
            throws Exception {
        String app = "sizes-" + System.nanoTime();
        Map<String, String> values = existingTopics(app);
        assertThat(maxMessageBytes(app + "-dlq")).isLessThan(EVENTS_MAX);

        try (ProcessorApp processor = ProcessorApp.start(new ProcessorConfig(values), new InMemorySchemaRegistry())) {
            assertThat(maxMessageBytes(app + "-dlq")).isEqualTo(EVENTS_MAX + OVERHEAD);
            assertThat(maxMessageBytes(app + "-snapshots")).isEqualTo(2 * 1024 * 1024 + OVERHEAD);
        }
    }

    @Test
    void shouldRefuseToStartWhenItMayNotRaiseATopicThatIsTooSmall() throws Exception {
        String app = "sizes-refused-" + System.nanoTime();
        Map<String, String> values = existingTopics(app);
        admin.createTopics(List.of(new NewTopic(app + "-snapshots", 2, (short) 1).configs(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(3 * 1024 * 1024))))).all().get();
        values.put("topics.create", "false");

        assertThatThrownBy(() -> ProcessorApp.start(new ProcessorConfig(values), new InMemorySchemaRegistry()))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("Topic '" + app + "-dlq' accepts records of up to")
            .hasMessageContaining("writes up to " + (EVENTS_MAX + OVERHEAD))
            .hasMessageContaining("topics.create=true");
    }
}
