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
            Map.of("SNAPSHOTTER_TOPIC_EVENTS", "c", "PATH", "/usr/bin")).values();
        assertThat(values).containsEntry("snapshot.every.events", "100")
            .containsEntry("snapshot.every.ms", "2000")
            .containsEntry("topic.events", "c")
            .doesNotContainKey("path");
    }

    @Test
    void shouldStartFromTheBuiltInDefaultsWhereTheWorkingDirectoryHasNoConfig() throws Exception {
        Path override = Files.writeString(dir.resolve("override.properties"), "kafka.commit.interval.ms=250\n");

        ConfigSources.Loaded anywhere = ConfigSources.load(ConfigSources.builtInDefaults(), dir.resolve("config/none"),
            override, Map.of());

        // the measured throughput settings travel in the jar
        assertThat(anywhere.values()).containsEntry("aggregates.cache.max.bytes", "67108864")
            .containsEntry("kafka.max.task.idle.ms", "-1")
            .containsEntry("kafka.commit.interval.ms", "250");
        assertThat(anywhere.originOf("aggregates.cache.max.bytes")).hasValue("the built-in defaults");
        assertThat(anywhere.values()).isEqualTo(new java.util.HashMap<>(ConfigSources.load(
            Path.of("..", "..", "config", "application.properties"), override, Map.of()).values()));
    }

    @Test
    void shouldMapEnvironmentVariablesToKeys() {
        assertThat(ConfigSources.keyOf("SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka.bootstrap.servers");
        assertThat(ConfigSources.keyOf("SNAPSHOTTER_SNAPSHOT_EVERY_EVENTS")).isEqualTo("snapshot.every.events");
    }

    @Test
    void shouldWorkWithoutADefaultsFile() {
        assertThat(ConfigSources.load(dir.resolve("absent.properties"), null, Map.of()).values()).isEmpty();
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
        Map<String, String> values = new java.util.HashMap<>(ConfigSources.load(shipped, null, Map.of()).values());
        assertThat(values).containsKey("snapshot.policy");
        // a deployment names its registry: the shipped file gives it no in-memory one to fall back on
        assertThat(values).doesNotContainKey("schema.registry.url");
        values.put("kafka.bootstrap.servers", "localhost:9092");
        assertThat(new ProcessorConfig(values).eventsTopic()).isEqualTo("inventory-events");
    }

    @Test
    void shouldKeepWhereEachValueCameFrom() throws Exception {
        Path defaults = Files.writeString(dir.resolve("application.properties"), "topic.events=a\nsnapshot.every.ms=5\n");
        Path override = Files.writeString(dir.resolve("override.properties"), "snapshot.every.ms=6\n");
        ConfigSources.Loaded loaded = ConfigSources.load(defaults, override, Map.of("SNAPSHOTTER_HTTP_PORT", "9090"));
        assertThat(loaded.originOf("topic.events")).contains(defaults.toString());
        assertThat(loaded.originOf("snapshot.every.ms")).contains(override.toString());
        assertThat(loaded.originOf("http.port")).contains("environment variable SNAPSHOTTER_HTTP_PORT");
    }

    @Test
    void shouldNameTheFileAndTheNearestKnownKeyOfAnUnknownKey() throws Exception {
        Path file = Files.writeString(dir.resolve("app.properties"),
            "kafka.bootstrap.servers=localhost:9092\nsnapshot.every.event=5\n");
        ConfigSources.Loaded loaded = ConfigSources.load(dir.resolve("absent"), file, Map.of());
        assertThatThrownBy(() -> new ProcessorConfig(loaded))
            .isInstanceOf(ConfigException.class)
            .hasMessage("Unknown configuration key 'snapshot.every.event' (from " + file
                + "); did you mean 'snapshot.every.events'?");
    }

    @Test
    void shouldNameTheEnvironmentVariableOfAnUnknownKey() {
        ConfigSources.Loaded loaded = ConfigSources.load(dir.resolve("absent"), null, Map.of(
            "SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092", "SNAPSHOTTER_KAFKA_NUM_STREAM_THREAD", "2"));
        assertThatThrownBy(() -> new ProcessorConfig(loaded))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("'kafka.num.stream.thread' (from environment variable SNAPSHOTTER_KAFKA_NUM_STREAM_THREAD)")
            .hasMessageContaining("did you mean 'kafka.num.stream.threads'?");
    }

    @Test
    void shouldTrimValuesFromTheEnvironment() {
        Map<String, String> values = ConfigSources.load(dir.resolve("absent"), null,
            Map.of("SNAPSHOTTER_HTTP_PORT", " 9090\n", "SNAPSHOTTER_TOPIC_EVENTS", "\torders ")).values();
        assertThat(values).containsEntry("http.port", "9090").containsEntry("topic.events", "orders");
    }

    @Test
    void shouldIgnoreKubernetesServiceLinkVariablesButNotTheSettingsOfThatShape() {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
            "SNAPSHOTTER_SERVICE_HOST", "10.0.0.7",
            "SNAPSHOTTER_SERVICE_PORT", "8080",
            "SNAPSHOTTER_SERVICE_PORT_HTTP", "8080",
            "SNAPSHOTTER_PORT", "tcp://10.0.0.7:8080",
            "SNAPSHOTTER_PORT_8080_TCP", "tcp://10.0.0.7:8080",
            "SNAPSHOTTER_PORT_8080_TCP_ADDR", "10.0.0.7",
            "SNAPSHOTTER_PORT_8080_TCP_PORT", "8080",
            "SNAPSHOTTER_PORT_8080_TCP_PROTO", "tcp"));
        // a Service named snapshotter-metrics-api, and the settings a Deployment gives
        env.putAll(Map.of(
            "SNAPSHOTTER_METRICS_API_SERVICE_HOST", "10.0.0.8",
            "SNAPSHOTTER_METRICS_API_SERVICE_PORT_METRICS", "9404",
            "SNAPSHOTTER_METRICS_API_PORT_9404_UDP_ADDR", "10.0.0.8",
            "SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
            "SNAPSHOTTER_HTTP_PORT", "9090",
            "SNAPSHOTTER_HTTP_ADVERTISED_PORT", "80"));
        ConfigSources.Loaded loaded = ConfigSources.load(dir.resolve("absent"), null, env);
        assertThat(loaded.values()).containsOnlyKeys("kafka.bootstrap.servers", "http.port", "http.advertised.port");
        ProcessorConfig config = new ProcessorConfig(loaded);
        assertThat(config.http().port()).isEqualTo(9090);
    }

    @Test
    void shouldStillRefuseAnUnknownKeyThatIsNoServiceLink() {
        ConfigSources.Loaded loaded = ConfigSources.load(dir.resolve("absent"), null, Map.of(
            "SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "SNAPSHOTTER_HTTP_PROT", "9090"));
        assertThatThrownBy(() -> new ProcessorConfig(loaded))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'http.prot'")
            .hasMessageContaining("SNAPSHOTTER_HTTP_PROT").hasMessageContaining("did you mean 'http.port'?");
    }
}
