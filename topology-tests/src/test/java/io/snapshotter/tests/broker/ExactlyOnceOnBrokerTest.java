package io.snapshotter.tests.broker;

import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.tests.registry.ApicurioRegistry;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.registry.SchemaRegistries;
import io.snapshotter.schema.Snapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The processor on one shared in-JVM KRaft broker, exactly-once on, with each kind of registry. */
class ExactlyOnceOnBrokerTest {

    private static EmbeddedKafka kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @Test
    void shouldFoldEventsIntoTheStoreAndEmitEachCountSnapshotOnceWithExactlyOnce() throws Exception {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        new FoldScenario(kafka.bootstrapServers(), "mock://scenario", stateDir).runAndVerify(registry, registry);
    }

    @Test
    void shouldFoldEventsProducedWithOurSerializerThroughARealSchemaRegistry() throws Exception {
        try (ApicurioRegistry apicurio = ApicurioRegistry.start()) {
            FoldScenario scenario = new FoldScenario(kafka.bootstrapServers(), apicurio.url(), stateDir);
            RestSchemaRegistryClient producerSide = new RestSchemaRegistryClient(
                RestSchemaRegistryClient.Settings.of(apicurio.url()));
            scenario.runAndVerify(SchemaRegistries.fromConfig(scenario.config().registry()), producerSide);

            assertThat(producerSide.latest(scenario.config().snapshotsTopic() + "-value").schema())
                .as("the processor registered the snapshot schema under the topic-name subject")
                .isEqualTo(Snapshot.getClassSchema());
        }
    }
}
