package io.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The production artifact's runtime class path (what {@code target/lib} and the image carry) has no
 * Kafka broker, no Scala, no test kit and no sample domain: those belong to the demo and the tests.
 */
class ProductionClassPathTest {

    @Test
    void shouldCarryNoBrokerScalaTestKitOrSample() throws IOException {
        String file = System.getProperty("server.runtimeClasspathFile");
        assertThat(file).as("the build passes the dependency list").isNotNull();
        List<String> entries = Files.readAllLines(Path.of(file)).stream().map(String::trim)
            .filter(line -> line.matches("[\\w.-]+:[\\w.-]+:.*")).toList();
        assertThat(entries).as("runtime dependencies").anyMatch(e -> e.startsWith("org.apache.kafka:kafka-streams:"))
            .anyMatch(e -> e.startsWith("io.snapshotter:snapshotter-dynamodb:"));
        assertThat(entries).noneMatch(e -> e.startsWith("org.apache.kafka:kafka_"))
            .noneMatch(e -> e.startsWith("org.apache.kafka:kafka-test-common"))
            .noneMatch(e -> e.startsWith("org.apache.kafka:kafka-server"))
            .noneMatch(e -> e.startsWith("org.scala-lang:"))
            .noneMatch(e -> e.startsWith("io.snapshotter:snapshotter-testkit:"))
            .noneMatch(e -> e.startsWith("io.snapshotter:snapshotter-sample-inventory:"))
            .noneMatch(e -> e.startsWith("io.snapshotter:snapshotter-demo:"));
    }
}
