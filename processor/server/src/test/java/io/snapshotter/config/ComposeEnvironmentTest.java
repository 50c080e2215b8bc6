package io.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose stack configures the processor through SNAPSHOTTER_* variables only: each must be a
 * key the processor knows, or the processor would refuse to start. Together with {@code docker-compose config -q} in CI, the stack is checked without a
 * Docker engine.
 */
class ComposeEnvironmentTest {

    private static final Path COMPOSE = Path.of("..", "..", "docker", "docker-compose.yml");

    @Test
    void shouldPassTheProcessorOnlyVariablesItKnows() throws IOException {
        List<String> variables = processorVariables();
        assertThat(variables).isNotEmpty().contains("SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS");
        for (String variable : variables) {
            String key = ConfigSources.keyOf(variable);
            assertThat(ProcessorConfig.accepts(key))
                .as("%s sets '%s', which the processor does not know", variable, key).isTrue();
        }
    }

    @Test
    void shouldGiveEachProcessorInstanceTheSameApplicationAndItsOwnAddress() throws IOException {
        Map<String, String> advertised = new HashMap<>();
        for (String name : List.of("processor-1", "processor-2")) {
            Map<String, Object> env = environment(services().get(name));
            assertThat(env).containsEntry("SNAPSHOTTER_KAFKA_APPLICATION_ID", "snapshot-processor");
            advertised.put(name, String.valueOf(env.get("SNAPSHOTTER_HTTP_ADVERTISED_HOST")));
        }
        assertThat(advertised).containsEntry("processor-1", "processor-1").containsEntry("processor-2", "processor-2");
    }

    private static List<String> processorVariables() throws IOException {
        List<String> variables = new ArrayList<>();
        for (Object service : services().values()) {
            environment(service).keySet().stream().filter(name -> name.startsWith(ConfigSources.ENV_PREFIX))
                .forEach(variables::add);
        }
        return variables;
    }

    /** The services, YAML anchors and merge keys resolved as Compose resolves them. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> services() throws IOException {
        try (Reader reader = Files.newBufferedReader(COMPOSE)) {
            Map<String, Object> compose = new Yaml().load(reader);
            return (Map<String, Object>) compose.get("services");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(Object service) {
        return (Map<String, Object>) ((Map<String, Object>) service).getOrDefault("environment", Map.of());
    }
}
