package io.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * key the processor knows, or the processor would refuse to start. Its images are pinned releases,
 * the files it mounts exist, and Prometheus scrapes each processor instance. Together with
 * {@code docker-compose config -q} in CI, the stack is checked without a Docker engine.
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

    @Test
    void shouldPinEveryImageToARelease() throws IOException {
        for (Map.Entry<String, Object> service : services().entrySet()) {
            String image = String.valueOf(((Map<?, ?>) service.getValue()).get("image"));
            assertThat(image).as("image of %s", service.getKey()).matches("[a-z0-9./_-]+:[A-Za-z0-9._-]+")
                .doesNotEndWith(":latest");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldMountOnlyFilesOfTheRepository() throws IOException {
        List<String> mounted = new ArrayList<>();
        for (Object service : services().values()) {
            for (Object volume : (List<?>) ((Map<String, Object>) service).getOrDefault("volumes", List.of())) {
                String source = String.valueOf(volume).split(":")[0];
                if (source.startsWith(".")) {
                    mounted.add(source);
                    assertThat(COMPOSE.resolveSibling(source)).as("mounted %s", source).exists();
                }
            }
        }
        assertThat(mounted).contains("./prometheus/prometheus.yml", "./grafana/provisioning", "./grafana/dashboards");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldScrapeEveryProcessorInstanceOnItsHttpPort() throws IOException {
        Map<String, Object> prometheus = yaml(COMPOSE.resolveSibling("prometheus/prometheus.yml"));
        Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
        List<Object> targets = (List<Object>) ((List<Map<String, Object>>) job.get("static_configs")).get(0).get("targets");

        assertThat(job).containsEntry("metrics_path", "/metrics");
        List<String> expected = new ArrayList<>();
        for (String name : List.of("processor-1", "processor-2")) {
            expected.add(name + ":" + environment(services().get(name)).get("SNAPSHOTTER_HTTP_PORT"));
        }
        assertThat(targets).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldProvisionGrafanaWithTheDataSourceAndTheFolderTheDashboardNeeds() throws IOException {
        Map<String, Object> datasources = yaml(COMPOSE.resolveSibling("grafana/provisioning/datasources/prometheus.yml"));
        Map<String, Object> datasource = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
        Map<String, Object> providers = yaml(COMPOSE.resolveSibling("grafana/provisioning/dashboards/snapshotter.yml"));
        Map<String, Object> provider = ((List<Map<String, Object>>) providers.get("providers")).get(0);
        JsonNode dashboard = new ObjectMapper().readTree(
            COMPOSE.resolveSibling("grafana/dashboards/snapshot-processor.json").toFile());
        List<Object> grafanaVolumes = (List<Object>) ((Map<String, Object>) services().get("grafana")).get("volumes");

        assertThat(datasource).containsEntry("url", "http://prometheus:9090");
        assertThat(services()).containsKey("prometheus");
        for (JsonNode panel : dashboard.path("panels")) {
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("datasource").path("uid").asText()).as("data source of panel '%s'",
                    panel.path("title").asText()).isEqualTo(datasource.get("uid"));
            }
        }
        assertThat(grafanaVolumes).contains("./grafana/dashboards:" + ((Map<String, Object>) provider.get("options")).get("path")
            + ":ro");
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml().load(reader);
        }
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
        return (Map<String, Object>) yaml(COMPOSE).get("services");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(Object service) {
        return (Map<String, Object>) ((Map<String, Object>) service).getOrDefault("environment", Map.of());
    }
}
