package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.query.AggregateQueries.Readiness;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests of {@code docker/k8s}, checked without a cluster as
 * {@code ComposeEnvironmentTest} checks the compose stack: every {@code SNAPSHOTTER_*} variable is a
 * key the processor knows, secrets come from the Secret, the probes ask paths the API answers (the
 * liveness one even while the instance is not ready), ports and selectors match, the grace period
 * outlasts the close, the state is on a persistent volume and the memory limit holds the README's
 * formula.
 */
@SuppressWarnings("unchecked")
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("..", "..", "docker", "k8s");
    /** README, memory: RSS = heap + rocksdb.memory.bytes + 100-200 MiB of JVM overhead. */
    private static final long JVM_OVERHEAD = 200L << 20;
    /** The DynamoDB writer's longest stop, after Kafka Streams' close. */
    private static final long WRITER_CLOSE_MS = 30_000;
    private static final Pattern XMX = Pattern.compile("-Xmx(\\d+)([kmg])", Pattern.CASE_INSENSITIVE);

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    @Test
    void shouldPassTheProcessorOnlyVariablesItKnowsAndSecretsFromTheSecret() throws IOException {
        Map<String, Object> secret = manifest("Secret", "snapshotter");
        Map<String, Object> secretValues = (Map<String, Object>) secret.get("stringData");

        Map<String, Map<String, Object>> env = env();
        assertThat(env).containsKeys("SNAPSHOTTER_KAFKA_BOOTSTRAP_SERVERS", "SNAPSHOTTER_HTTP_ADMIN_TOKEN");
        for (Map.Entry<String, Map<String, Object>> variable : env.entrySet()) {
            String name = variable.getKey();
            if (!name.startsWith(ConfigSources.ENV_PREFIX)) {
                continue;
            }
            assertThat(ProcessorConfig.accepts(ConfigSources.keyOf(name)))
                .as("%s sets '%s', which the processor does not know", name, ConfigSources.keyOf(name)).isTrue();
            if (name.matches(".*(TOKEN|SECRET|PASSWORD|USER_INFO|ACCESS_KEY).*")) {
                Map<String, Object> ref = (Map<String, Object>) ((Map<String, Object>) variable.getValue()
                    .get("valueFrom")).get("secretKeyRef");
                assertThat(ref).as("%s from the Secret", name).containsEntry("name", "snapshotter");
                assertThat(secretValues).as("the Secret's keys").containsKey((String) ref.get("key"));
            }
        }
    }

    @Test
    void shouldProbeThePathsTheApiAnswersLivenessEvenWhileNotReady() throws IOException {
        Map<String, Object> container = container();
        FakeQueries restoring = new FakeQueries();
        restoring.readiness = new Readiness(false, "REBALANCING", "Kafka Streams is REBALANCING, not yet RUNNING since the start");
        Api api = fixture.start(restoring);

        String startup = probePath(container, "startupProbe");
        String readiness = probePath(container, "readinessProbe");
        String liveness = probePath(container, "livenessProbe");

        assertThat(startup).isEqualTo(OpsRoutes.READY);
        assertThat(readiness).isEqualTo(OpsRoutes.READY);
        assertThat(fixture.get(api, readiness).statusCode()).as("not ready during the first restore").isEqualTo(503);
        assertThat(fixture.get(api, liveness).statusCode()).as("alive during the first restore").isEqualTo(200);
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(((Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet")).get("port"))
                .as("port of %s", probe).isEqualTo("http");
        }
    }

    @Test
    void shouldMatchPortsSelectorsAndTheAdvertisedHostOfTheHeadlessService() throws IOException {
        Map<String, Object> statefulSet = manifest("StatefulSet", "snapshotter");
        Map<String, Object> spec = (Map<String, Object>) statefulSet.get("spec");
        Map<String, Object> podLabels = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
            spec.get("template")).get("metadata")).get("labels");
        Map<String, Object> headless = manifest("Service", (String) spec.get("serviceName"));
        Map<String, Object> port = ((List<Map<String, Object>>) container().get("ports")).get(0);

        assertThat(port).containsEntry("name", "http");
        assertThat(String.valueOf(port.get("containerPort"))).isEqualTo(env().get("SNAPSHOTTER_HTTP_PORT").get("value"));
        assertThat(((Map<String, Object>) headless.get("spec")).get("clusterIP")).isEqualTo("None");
        assertThat(env().get("SNAPSHOTTER_HTTP_ADVERTISED_HOST").get("value"))
            .isEqualTo("$(POD_NAME)." + spec.get("serviceName") + ".$(POD_NAMESPACE).svc");
        assertThat(((Map<String, Object>) env().get("SNAPSHOTTER_KAFKA_GROUP_INSTANCE_ID").get("valueFrom")))
            .containsEntry("fieldRef", Map.of("fieldPath", "metadata.name"));
        for (String service : List.of((String) spec.get("serviceName"), "snapshotter")) {
            Map<String, Object> serviceSpec = (Map<String, Object>) manifest("Service", service).get("spec");
            assertThat(serviceSpec.get("selector")).as("selector of %s", service).isEqualTo(podLabels);
            assertThat(((List<Map<String, Object>>) serviceSpec.get("ports")).get(0)).as("port of %s", service)
                .containsEntry("targetPort", "http");
        }
        Map<String, Object> budget = (Map<String, Object>) manifest("PodDisruptionBudget", "snapshotter").get("spec");
        assertThat(((Map<String, Object>) budget.get("selector")).get("matchLabels")).isEqualTo(podLabels);
        assertThat(((Map<String, Object>) spec.get("selector")).get("matchLabels")).isEqualTo(podLabels);
    }

    @Test
    void shouldOutlastTheCloseAndKeepTheStateOnAPersistentVolume() throws IOException {
        Map<String, Object> spec = (Map<String, Object>) manifest("StatefulSet", "snapshotter").get("spec");
        Map<String, Object> podSpec = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        long closeTimeoutMs = Long.parseLong((String) env().get("SNAPSHOTTER_PROCESSOR_CLOSE_TIMEOUT_MS").get("value"));
        String claim = (String) ((Map<String, Object>) ((List<Map<String, Object>>) spec.get("volumeClaimTemplates"))
            .get(0).get("metadata")).get("name");
        List<Map<String, Object>> mounts = (List<Map<String, Object>>) container().get("volumeMounts");

        assertThat(((Number) podSpec.get("terminationGracePeriodSeconds")).longValue() * 1000)
            .isGreaterThan(closeTimeoutMs + WRITER_CLOSE_MS);
        assertThat(mounts).contains(Map.of("name", claim, "mountPath", env().get("SNAPSHOTTER_KAFKA_STATE_DIR").get("value")));
    }

    @Test
    void shouldLimitMemoryToTheHeapTheRocksDbBudgetAndTheJvmsOverhead() throws IOException {
        Map<String, Object> resources = (Map<String, Object>) container().get("resources");
        Matcher xmx = XMX.matcher((String) env().get("JAVA_TOOL_OPTIONS").get("value"));
        assertThat(xmx.find()).as("the heap is set with -Xmx").isTrue();
        long heap = Long.parseLong(xmx.group(1)) << switch (xmx.group(2).toLowerCase()) {
            case "k" -> 10;
            case "m" -> 20;
            default -> 30;
        };
        long rocksDb = Long.parseLong((String) env().get("SNAPSHOTTER_ROCKSDB_MEMORY_BYTES").get("value"));

        long limit = mebibytes((String) ((Map<String, Object>) resources.get("limits")).get("memory"));

        assertThat(limit).isGreaterThanOrEqualTo(heap + rocksDb + JVM_OVERHEAD);
        assertThat(mebibytes((String) ((Map<String, Object>) resources.get("requests")).get("memory"))).isEqualTo(limit);
    }

    private static long mebibytes(String quantity) {
        assertThat(quantity).as("a memory quantity in Mi or Gi").matches("\\d+(Mi|Gi)");
        long amount = Long.parseLong(quantity.substring(0, quantity.length() - 2));
        return amount << (quantity.endsWith("Gi") ? 30 : 20);
    }

    private static String probePath(Map<String, Object> container, String probe) {
        return (String) ((Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet")).get("path");
    }

    private static Map<String, Object> container() throws IOException {
        Map<String, Object> spec = (Map<String, Object>) manifest("StatefulSet", "snapshotter").get("spec");
        Map<String, Object> podSpec = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        return ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
    }

    /** The container's variables by name. */
    private static Map<String, Map<String, Object>> env() throws IOException {
        Map<String, Map<String, Object>> env = new HashMap<>();
        for (Map<String, Object> variable : (List<Map<String, Object>>) container().get("env")) {
            assertThat(env.put((String) variable.get("name"), variable)).as("%s set twice", variable.get("name")).isNull();
        }
        return env;
    }

    private static Map<String, Object> manifest(String kind, String name) throws IOException {
        List<Map<String, Object>> found = new ArrayList<>();
        for (Map<String, Object> manifest : manifests()) {
            Map<String, Object> metadata = (Map<String, Object>) manifest.get("metadata");
            if (kind.equals(manifest.get("kind")) && metadata != null && name.equals(metadata.get("name"))) {
                found.add(manifest);
            }
        }
        assertThat(found).as("%s %s in %s", kind, name, K8S).hasSize(1);
        return found.get(0);
    }

    /** Every manifest the kustomization applies. */
    private static List<Map<String, Object>> manifests() throws IOException {
        Map<String, Object> kustomization = load(K8S.resolve("kustomization.yaml")).get(0);
        List<String> resources = (List<String>) kustomization.get("resources");
        try (Stream<Path> files = Files.list(K8S)) {
            assertThat(files.map(file -> file.getFileName().toString()).filter(file -> !file.equals("kustomization.yaml")))
                .as("every manifest is a resource of the kustomization").containsExactlyInAnyOrderElementsOf(resources);
        }
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (String resource : resources) {
            manifests.addAll(load(K8S.resolve(resource)));
        }
        return manifests;
    }

    private static List<Map<String, Object>> load(Path file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            new Yaml().loadAll(reader).forEach(document -> documents.add((Map<String, Object>) document));
        }
        return documents;
    }
}
