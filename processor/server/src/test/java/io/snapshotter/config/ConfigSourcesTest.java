package io.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourcesTest {

    @TempDir
    Path dir;

    @Test
    void shouldLayerDefaultsFileThenConfigFileThenEnvironment() throws Exception {
        Path defaults = Files.writeString(dir.resolve("application.properties"),
            "snapshot.every.events=100\nsnapshot.every.ms=1000\ntopic.events=a\n");
        Path override = Files.writeString(dir.resolve("override.properties"), "snapshot.every.ms=2000\ntopic.events=b\n");
        Map<String, String> values = ConfigSources.load(defaults, override,
            Map.of("SNAPSHOTTER_TOPIC_EVENTS", "c", "PATH", "/usr/bin"));
        assertThat(values).containsEntry("snapshot.every.events", "100")
            .containsEntry("snapshot.every.ms", "2000")
            .containsEntry("topic.events", "c")
            .doesNotContainKey("path");
    }

    @Test
    void shouldMapEnvironmentVariablesToKeys() {
        assertThat(ConfigSources.keyOf("SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka.bootstrap.servers");
        assertThat(ConfigSources.keyOf("SNAPSHOTTER_SNAPSHOT_EVERY_EVENTS")).isEqualTo("snapshot.every.events");
    }

    @Test
    void shouldWorkWithoutADefaultsFile() {
        assertThat(ConfigSources.load(dir.resolve("absent.properties"), null, Map.of())).isEmpty();
    }

    @Test
    void shouldNameAMissingConfigFile() {
        Path missing = dir.resolve("missing.properties");
        assertThatThrownBy(() -> ConfigSources.load(dir.resolve("absent"), missing, Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void shouldAcceptEveryKeyOfTheShippedDefaultsFile() {
        Path shipped = Path.of("..", "..", "config", "application.properties");
        Map<String, String> values = new java.util.HashMap<>(ConfigSources.load(shipped, null, Map.of()));
        assertThat(values).containsKey("snapshot.policy");
        values.put("kafka.bootstrap.servers", "localhost:9092");
        assertThat(new ProcessorConfig(values).eventsTopic()).isEqualTo("inventory-events");
    }
}
