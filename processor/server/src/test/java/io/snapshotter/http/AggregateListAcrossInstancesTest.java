package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.query.Instance;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.testkit.EmbeddedKafka;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code GET /aggregates} on two real instances of one application (in-JVM broker, 6 partitions, each
 * instance with its share): either instance lists every aggregate of a type, in id order, page by
 * page; and once one instance is gone while it still holds its partitions (a static member, whose
 * tasks wait for it), the other answers 503 naming no instance instead of a list without them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AggregateListAcrossInstancesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int PARTITIONS = 6;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static EmbeddedKafka kafka;
    private static ProcessorApp a;
    private static ProcessorApp b;
    private static Path stateDirs;
    /** aggregateId to version, of the InventoryItems produced, in id order. */
    private static final Map<String, Long> ITEMS = new TreeMap<>();

    @BeforeAll
    static void startTwoInstancesAndFeedThem() throws Exception {
        kafka = EmbeddedKafka.start();
        stateDirs = Files.createTempDirectory("list-across-");
        String prefix = "list-across-" + System.nanoTime();
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        a = ProcessorApp.start(config(prefix, "a"), registry);
        b = ProcessorApp.start(config(prefix, "b"), registry);
        waitUntil("both instances run with their share of the " + PARTITIONS + " partitions",
            () -> activeTasks(a) > 0 && activeTasks(b) > 0 && activeTasks(a) + activeTasks(b) == PARTITIONS);

        SampleInventoryStream stream = new SampleInventoryStream(7, 30, 4, Instant.parse("2026-12-01T00:00:00Z"), 1000);
        EventEncoder encoder = new EventEncoder(new AvroWireCodec(registry), prefix + "-events");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 400; i++) {
                SampleEvent e = stream.next();
                if (e.aggregateType().equals("InventoryItem")) {
                    ITEMS.merge(e.aggregateId(), e.sequence(), Math::max);
                }
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

    /** Static members that wait long for each other: a closed instance keeps its tasks for the whole test. */
    private static ProcessorConfig config(String prefix, String name) {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        values.put("kafka.application.id", prefix);
        values.put("kafka.state.dir", stateDirs.resolve(name).toString());
        values.put("kafka.group.instance.id", prefix + "-" + name);
        values.put("kafka.session.timeout.ms", "300000");
        values.put("schema.registry.url", "mock://list-across");
        values.put("topic.events", prefix + "-events");
        values.put("topic.snapshots", prefix + "-snapshots");
        values.put("topic.dead.letters", prefix + "-dlq");
        values.put("topic.snapshot.requests", prefix + "-snapshot-requests");
        values.put("topics.partitions", String.valueOf(PARTITIONS));
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        return new ProcessorConfig(values);
    }

    @Test
    @Order(1)
    void shouldListEveryInstancesAggregatesOfATypeInIdOrderPageByPageThroughEitherInstance() throws Exception {
        assertThat(ITEMS.keySet()).as("items on both instances' partitions")
            .anyMatch(id -> owner(id).equals(a.instance().orElseThrow()))
            .anyMatch(id -> owner(id).equals(b.instance().orElseThrow()));
        for (ProcessorApp asked : List.of(a, b)) {
            URI base = asked.httpAddress().orElseThrow();
            waitUntil("every item at its last version through " + base, () -> ITEMS.equals(listAll(base)));

            Map<String, Long> listed = listAll(base);

            assertThat(new ArrayList<>(listed.keySet())).as("in id order, through %s", base)
                .containsExactlyElementsOf(ITEMS.keySet());
            assertThat(listed).isEqualTo(ITEMS);
        }
    }

    @Test
    @Order(2)
    void shouldAnswer503NamingNoInstanceWhileAnInstanceHoldingPartitionsIsDown() throws Exception {
        Instance gone = b.instance().orElseThrow();
        b.close();
        URI base = a.httpAddress().orElseThrow();

        HttpResponse<String> response = get(base, "/aggregates?type=InventoryItem&limit=5");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problem.CONTENT_TYPE);
        JsonNode problem = Json.MAPPER.readTree(response.body());
        assertThat(problem.path("type").asText()).isEqualTo(Problem.INSTANCE_UNAVAILABLE.type().toString());
        assertThat(problem.path("instance").asText()).isEqualTo("/aggregates");
        assertThat(response.headers().firstValue(ApiHeaders.CORRELATION_ID)).hasValue(problem.path("correlationId").asText());
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.body()).doesNotContain(gone.host(), ":" + gone.port(), "item-");
    }

    /** Follows {@code next} from the first page of InventoryItems, 7 at a time. */
    private static Map<String, Long> listAll(URI base) throws IOException, InterruptedException {
        Map<String, Long> listed = new LinkedHashMap<>();
        String next = "/aggregates?type=InventoryItem&limit=7";
        while (next != null) {
            HttpResponse<String> response = get(base, next);
            if (response.statusCode() != 200) {
                return Map.of("status", (long) response.statusCode());
            }
            JsonNode page = Json.MAPPER.readTree(response.body());
            assertThat(page.path("aggregates").size()).isLessThanOrEqualTo(7);
            for (JsonNode entry : page.path("aggregates")) {
                assertThat(entry.path("aggregateType").asText()).isEqualTo("InventoryItem");
                listed.put(entry.path("aggregateId").asText(), entry.path("version").asLong());
            }
            next = page.path("next").isNull() ? null : page.path("next").asText();
        }
        return listed;
    }

    private static Instance owner(String aggregateId) {
        var host = a.streams().queryMetadataForKey(SnapshotTopology.AGGREGATES_STORE, aggregateId,
            new StringSerializer()).activeHost();
        return new Instance(host.host(), host.port());
    }

    private static int activeTasks(ProcessorApp app) {
        if (app.streams().state() != KafkaStreams.State.RUNNING) {
            return -PARTITIONS;
        }
        return app.streams().metadataForLocalThreads().stream().mapToInt(thread -> thread.activeTasks().size()).sum();
    }

    private static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitUntil(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }
}
