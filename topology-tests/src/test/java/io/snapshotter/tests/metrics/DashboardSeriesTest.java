package io.snapshotter.tests.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.testkit.DynamoDbServer;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.tests.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in {@code docker/grafana/dashboards} against a running processor (real
 * broker, moto's DynamoDB, the writer on): every series a query of the dashboard names is in
 * {@code /metrics}, so no panel stays empty because a metric was renamed.
 */
class DashboardSeriesTest {

    private static final Path DASHBOARD = Path.of("..", "docker", "grafana", "dashboards", "snapshot-processor.json");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** A metric name in a query: PromQL's own words (functions, {@code by}, labels) have none of these prefixes. */
    private static final Pattern SERIES = Pattern.compile(
        "\\b(?:snapshotter|kafka|jvm|process|system|http|executor|disk)_[a-zA-Z0-9_:]*");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern SERIES_LINE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final Pattern GAUGE = Pattern.compile("(?m)^# TYPE (\\S+) gauge$");

    @TempDir
    Path stateDir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void shouldServeEverySeriesTheDashboardQueries() throws Exception {
        Set<String> queried = seriesQueriedBy(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(queried).as("series the dashboard queries").hasSizeGreaterThan(20)
            .contains("snapshotter_events_folded_total", "snapshotter_dead_letters_total", "snapshotter_dynamodb_lag",
                "http_server_requests_seconds_bucket", "kafka_stream_state_block_cache_usage");

        try (EmbeddedKafka kafka = EmbeddedKafka.start(); DynamoDbServer dynamo = DynamoDbServer.start()) {
            Map<String, String> values = new HashMap<>();
            values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
            values.put("kafka.application.id", "dashboard");
            values.put("schema.registry.url", "mock://dashboard");
            values.put("kafka.state.dir", stateDir.toString());
            values.put("topics.partitions", "2");
            values.put("snapshot.every.events", "5");
            values.put("http.host", "127.0.0.1");
            values.put("http.port", "0");
            values.putAll(dynamo.processorSettings());
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            ProcessorConfig config = new ProcessorConfig(values);
            try (ProcessorApp app = ProcessorApp.start(config, registry)) {
                produce(kafka, config, registry);
                URI base = app.httpAddress().orElseThrow();
                Await.until("snapshots in DynamoDB", TIMEOUT,
                    () -> app.meters().get("snapshotter.dynamodb.snapshots.written").counter().count() > 0);
                get(base.resolve("/aggregates/" + SampleInventoryStream.itemId(0)));

                List<String> missing = new ArrayList<>();
                String[] scrape = new String[1];
                try {
                    Await.until("every series the dashboard queries", TIMEOUT, () -> {
                        scrape[0] = get(base.resolve("/metrics"));
                        Set<String> served = servedSeries(scrape[0]);
                        missing.clear();
                        queried.stream().filter(name -> !served.contains(name)).forEach(missing::add);
                        return missing.isEmpty();
                    });
                } catch (AssertionError e) {
                    throw new AssertionError("the dashboard queries series /metrics does not serve: " + missing, e);
                }
                assertThat(scrape[0]).as("the DynamoDB writer's own consumer")
                    .contains("kafka_consumer_fetch_manager_records_lag_max{application=\"dashboard\",client_id=\"consumer-dashboard-dynamodb-writer-");
                Matcher gauges = GAUGE.matcher(scrape[0]);
                while (gauges.find()) {
                    assertThat(gauges.group(1)).as("a gauge named like a counter").doesNotEndWith("_total");
                }
            }
        }
    }

    /** The series named in every panel's queries and in the variables' queries. */
    private static Set<String> seriesQueriedBy(JsonNode dashboard) {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            queries.add(query.isObject() ? query.path("query").asText() : query.asText());
        }
        Set<String> names = new TreeSet<>();
        for (String query : queries) {
            Matcher series = SERIES.matcher(QUOTED.matcher(query).replaceAll("\"\""));
            while (series.find()) {
                names.add(series.group());
            }
        }
        return names;
    }

    private static Set<String> servedSeries(String scrape) {
        Set<String> names = new TreeSet<>();
        Matcher line = SERIES_LINE.matcher(scrape);
        while (line.find()) {
            names.add(line.group(1));
        }
        return names;
    }

    private static void produce(EmbeddedKafka kafka, ProcessorConfig config, InMemorySchemaRegistry registry) {
        EventEncoder encoder = new EventEncoder(new AvroWireCodec(registry), config.eventsTopic());
        SampleInventoryStream stream = new SampleInventoryStream(3, 2, 1, Instant.parse("2026-11-01T00:00:00Z"), 10);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 100; i++) {
                SampleEvent e = stream.next();
                producer.send(new ProducerRecord<>(config.eventsTopic(), e.aggregateId(), encoder.encode(
                    e.eventId(), e.aggregateId(), e.aggregateType(), e.sequence(), e.timestamp(), e.payload())));
            }
            producer.send(new ProducerRecord<>(config.eventsTopic(), "item-bad", "not an envelope".getBytes(StandardCharsets.UTF_8)));
        }
    }

    private String get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
