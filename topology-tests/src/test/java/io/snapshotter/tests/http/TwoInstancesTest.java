package io.snapshotter.tests.http;

import io.snapshotter.http.ApiHeaders;
import io.snapshotter.http.AvroJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.query.Instance;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.tests.testing.Await;
import io.snapshotter.tests.testing.ReferenceFold;
import io.snapshotter.topology.SnapshotTopology;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two processor instances with the same application id on a real broker (in-JVM KRaft), the events
 * topic in 6 partitions, each instance with its own state directory and HTTP port on loopback: every
 * aggregate is read with the reference fold's state through both instances' HTTP APIs, half of the
 * lookups forwarded to the other instance.
 */
class TwoInstancesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int PARTITIONS = 6;
    private static final String TOKEN = "two-instances-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static EmbeddedKafka kafka;
    private static ProcessorApp a;
    private static ProcessorApp b;
    private static Map<String, SpecificRecord> reference;
    private static Map<String, Long> versions;
    private static Path stateDirs;

    @BeforeAll
    static void startBrokerAndTwoInstancesAndFeedThem() throws Exception {
        kafka = EmbeddedKafka.start();
        stateDirs = Files.createTempDirectory("two-instances-");
        String prefix = "two-instances-" + System.nanoTime();
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        a = ProcessorApp.start(config(prefix, stateDirs.resolve("a")), registry);
        b = ProcessorApp.start(config(prefix, stateDirs.resolve("b")), registry);
        waitUntil("both instances run with their share of the " + PARTITIONS + " partitions",
            () -> activeTasks(a) > 0 && activeTasks(b) > 0 && activeTasks(a) + activeTasks(b) == PARTITIONS);

        List<SampleEvent> events = new ArrayList<>();
        SampleInventoryStream stream = new SampleInventoryStream(23, 40, 6, Instant.parse("2026-12-01T00:00:00Z"), 1000);
        for (int i = 0; i < 2000; i++) {
            events.add(stream.next());
        }
        referenceFold(events);
        EventEncoder encoder = new EventEncoder(new AvroWireCodec(registry), prefix + "-events");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (SampleEvent e : events) {
                producer.send(new ProducerRecord<>(prefix + "-events", e.aggregateId(), encoder.encode(e.eventId(),
                    e.aggregateId(), e.aggregateType(), e.sequence(), e.timestamp(), e.payload())));
            }
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {a, b, kafka}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (stateDirs != null) {
            try (var paths = Files.walk(stateDirs)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static ProcessorConfig config(String prefix, Path stateDir) {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        values.put("kafka.application.id", prefix);
        values.put("kafka.state.dir", stateDir.toString());
        values.put("schema.registry.url", "mock://two-instances");
        values.put("topic.events", prefix + "-events");
        values.put("topic.snapshots", prefix + "-snapshots");
        values.put("topic.dead.letters", prefix + "-dlq");
        values.put("topic.snapshot.requests", prefix + "-snapshot-requests");
        values.put("topics.partitions", String.valueOf(PARTITIONS));
        values.put("snapshot.policy", "count");
        values.put("snapshot.every.events", "10");
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        values.put("http.admin.token", TOKEN);
        return new ProcessorConfig(values);
    }

    @Test
    void shouldReadEveryAggregateWithTheRightStateThroughBothInstances() throws Exception {
        for (ProcessorApp asked : List.of(a, b)) {
            URI base = asked.httpAddress().orElseThrow();
            int forwarded = 0;
            for (var expected : new TreeMap<>(reference).entrySet()) {
                String id = expected.getKey();
                waitUntil(id + " at version " + versions.get(id) + " on " + base,
                    () -> versionOf(get(base, "/aggregates/" + id)) == versions.get(id));
                HttpResponse<String> response = get(base, "/aggregates/" + id);
                assertThat(response.statusCode()).isEqualTo(200);
                JsonNode body = JSON.readTree(response.body());
                assertThat(body.get("aggregateId").asText()).isEqualTo(id);
                assertThat(body.get("version").asLong()).isEqualTo(versions.get(id));
                assertThat(body.get("state").toString()).as("state of %s from %s", id, base)
                    .isEqualTo(AvroJson.toJson(expected.getValue()).toString());
                assertThat(response.headers().firstValue(ApiHeaders.SERVED_BY)).hasValue(owner(id).toString());
                forwarded += owner(id).equals(asked.instance().orElseThrow()) ? 0 : 1;
            }
            assertThat(forwarded).as("lookups %s forwarded", base).isBetween(1, reference.size() - 1);
        }
        assertThat(get(a.httpAddress().orElseThrow(), "/aggregates/item-99999").statusCode()).isEqualTo(404);
        assertThat(get(b.httpAddress().orElseThrow(), "/aggregates/item-99999").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldTakeAManualSnapshotInTheOwningInstanceWhicheverInstanceIsAsked() throws Exception {
        String id = reference.keySet().stream().sorted()
            .filter(key -> versions.get(key) % 10 != 0 && owner(key).equals(b.instance().orElseThrow()))
            .findFirst().orElseThrow();
        URI asked = a.httpAddress().orElseThrow();
        waitUntil(id + " folded", () -> versionOf(get(asked, "/aggregates/" + id)) == versions.get(id));

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(asked.resolve("/admin/snapshots/" + id))
            .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(202);
        waitUntil("the manual snapshot of " + id + " is taken", () -> {
            JsonNode body = JSON.readTree(get(b.httpAddress().orElseThrow(), "/aggregates/" + id).body());
            return body.get("lastSnapshotVersion").asLong() == versions.get(id) && body.get("eventsSinceSnapshot").asLong() == 0;
        });
    }

    @Test
    void shouldServeOurMetricsAndKafkaStreamsMetricsInPrometheusFormat() throws Exception {
        URI base = a.httpAddress().orElseThrow();
        get(base, "/aggregates/item-00000");
        List<String> names = List.of("snapshotter_events_folded_total", "snapshotter_snapshots_total{",
            "snapshotter_duplicates_skipped_total", "snapshotter_dead_letters_total{",
            "snapshotter_snapshot_size_bytes_count", "snapshotter_snapshot_events_since_last_count",
            "snapshotter_punctuation_seconds_count", "http_server_requests_seconds_count", "kafka_stream_alive_stream_threads",
            "kafka_stream_processor_node_process_total", "kafka_consumer_fetch_manager_records_consumed_total");
        waitUntil("the metrics " + names + " on " + base,
            () -> names.stream().allMatch(get(base, "/metrics").body()::contains));
    }

    @Test
    void shouldBeReadyOnBothInstances() throws Exception {
        for (ProcessorApp app : List.of(a, b)) {
            waitUntil(app.httpAddress() + " ready", () -> get(app.httpAddress().orElseThrow(), "/ready").statusCode() == 200);
            assertThat(get(app.httpAddress().orElseThrow(), "/health").statusCode()).isEqualTo(200);
        }
    }

    private static Instance owner(String aggregateId) {
        var host = a.streams().queryMetadataForKey(SnapshotTopology.AGGREGATES_STORE, aggregateId, new StringSerializer())
            .activeHost();
        return new Instance(host.host(), host.port());
    }

    private static int activeTasks(ProcessorApp app) {
        if (app.streams().state() != KafkaStreams.State.RUNNING) {
            return -PARTITIONS;
        }
        return app.streams().metadataForLocalThreads().stream().mapToInt(thread -> thread.activeTasks().size()).sum();
    }

    private static long versionOf(HttpResponse<String> response) throws IOException {
        return response.statusCode() == 200 ? JSON.readTree(response.body()).get("version").asLong() : -1;
    }

    private static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void referenceFold(List<SampleEvent> events) {
        ReferenceFold fold = new ReferenceFold();
        events.forEach(fold::apply);
        reference = fold.states();
        versions = fold.versions();
    }

    private static void waitUntil(String what, Await.Condition condition) throws InterruptedException {
        Await.until(what, TIMEOUT, condition);
    }
}
