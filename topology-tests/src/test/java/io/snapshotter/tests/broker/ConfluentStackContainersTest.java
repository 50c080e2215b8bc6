package io.snapshotter.tests.broker;

import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.registry.SchemaRegistries;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The end-to-end scenario against the containers users deploy with: {@code apache/kafka} and
 * Confluent Schema Registry. Skipped where no Docker engine runs (as on the build machines here).
 */
@Testcontainers(disabledWithoutDocker = true)
class ConfluentStackContainersTest {

    private static final Network NETWORK = Network.newNetwork();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"))
        .withNetwork(NETWORK)
        .withListener("kafka:19092");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(
            DockerImageName.parse("confluentinc/cp-schema-registry:7.9.0"))
        .withNetwork(NETWORK)
        .withExposedPorts(8081)
        .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
        .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
        .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
        .dependsOn(KAFKA)
        .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));

    @TempDir
    Path stateDir;

    @Test
    void shouldFoldEventsThroughConfluentSchemaRegistryOnAKafkaContainer() throws Exception {
        String registryUrl = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
        FoldScenario scenario = new FoldScenario(KAFKA.getBootstrapServers(), registryUrl, stateDir);
        scenario.runAndVerify(SchemaRegistries.fromConfig(scenario.config().registry()),
            new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(registryUrl)));
    }
}
