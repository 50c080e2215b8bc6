package io.snapshotter.tests.dynamodb;

import io.snapshotter.testkit.DynamoDbServer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The whole path of a snapshot as a user sees it: events folded by the processor, snapshots on
 * the topic, copied to DynamoDB by the processor's writer, read back over HTTP.
 */
class ProcessorToDynamoDbTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int EVERY_EVENTS = 5;

    @TempDir
    Path stateDir;

    @Test
    void shouldServeTheSnapshotHistoryTheProcessorWroteToDynamoDb() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); DynamoDbServer dynamo = DynamoDbServer.start();
             DynamoDbClient client = dynamo.client()) {
            Map<String, String> values = new HashMap<>();
            values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
            values.put("kafka.application.id", "to-dynamodb");
            values.put("schema.registry.url", "mock://to-dynamodb");
            values.put("kafka.state.dir", stateDir.toString());
            values.put("topics.partitions", "2");
            values.put("snapshot.policy", "count");
            values.put("snapshot.every.events", String.valueOf(EVERY_EVENTS));
            values.put("http.host", "127.0.0.1");
            values.put("http.port", "0");
            values.putAll(dynamo.processorSettings());
            values.put("dynamodb.retention.keep", "2");
            ProcessorConfig config = new ProcessorConfig(values);
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

            Map<String, Long> versions = new HashMap<>();
            try (ProcessorApp app = ProcessorApp.start(config, registry)) {
                EventEncoder encoder = new EventEncoder(new AvroWireCodec(registry), config.eventsTopic());
                SampleInventoryStream stream = new SampleInventoryStream(3, 4, 1, Instant.parse("2026-11-01T00:00:00Z"), 10);
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                        new StringSerializer(), new ByteArraySerializer())) {
                    for (int i = 0; i < 200; i++) {
                        SampleEvent e = stream.next();
                        versions.put(e.aggregateId(), e.sequence());
                        producer.send(new ProducerRecord<>(config.eventsTopic(), e.aggregateId(), encoder.encode(
                            e.eventId(), e.aggregateId(), e.aggregateType(), e.sequence(), e.timestamp(), e.payload())));
                    }
                }
                String id = SampleInventoryStream.itemId(0);
                long newest = versions.get(id) / EVERY_EVENTS * EVERY_EVENTS;
                URI history = app.httpAddress().orElseThrow().resolve("/aggregates/" + id + "/snapshots");
                HttpClient http = HttpClient.newHttpClient();
                ObjectMapper json = new ObjectMapper();

                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                JsonNode page = null;
                while (System.nanoTime() < deadline) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(history).build(),
                        HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        page = json.readTree(response.body());
                        // pruning follows each written batch, so wait for the newest two alone
                        if (page.path("snapshots").size() == 2
                                && page.path("snapshots").get(0).path("version").asLong() == newest) {
                            break;
                        }
                    }
                    Thread.sleep(200);
                }
                assertThat(page).as("history of %s", id).isNotNull();
                assertThat(page.path("snapshots")).extracting(s -> s.path("version").asLong())
                    .containsExactly(newest, newest - EVERY_EVENTS);
                assertThat(client.scan(b -> b.tableName("inventory_snapshots")).items())
                    .as("the newest 2 per aggregate, pruned as written")
                    .allSatisfy(item -> assertThat(Long.parseLong(item.get("version").n()) % EVERY_EVENTS).isZero());
                assertThat(app.meters().get("snapshotter.dynamodb.snapshots.written").counter().count()).isPositive();
            }
        }
    }
}
