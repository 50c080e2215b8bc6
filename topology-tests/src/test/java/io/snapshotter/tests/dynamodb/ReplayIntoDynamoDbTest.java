package io.snapshotter.tests.dynamodb;

import io.snapshotter.testkit.DynamoDbServer;
import io.snapshotter.dynamodb.SnapshotItems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.replay.Replay;
import io.snapshotter.replay.ReplayOptions;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.tests.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Replay with DynamoDB on: the rewrite leaves the table as it was (same items, same states), a
 * replay from a point in time is seeded from the table, and a replay whose writer DynamoDB refuses
 * fails with the writer's error.
 */
class ReplayIntoDynamoDbTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int EVENTS = 300;
    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path stateDir;

    @Test
    void shouldRewriteTheTableIdempotentlyAndSeedAReplayFromIt() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); DynamoDbServer dynamo = DynamoDbServer.start();
             DynamoDbClient client = dynamo.client()) {
            ProcessorConfig config = config(kafka, "replay-dynamodb", dynamo.processorSettings());
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

            try (ProcessorApp app = ProcessorApp.start(config, registry)) {
                Map<String, Long> versions = produceAndFold(kafka, config, registry, app);
                // the newest snapshot of each aggregate, at its last multiple of 5, is in the table
                Await.until("DynamoDB has every snapshot", TIMEOUT, () -> items(client).keySet().containsAll(
                    versions.entrySet().stream().filter(e -> e.getValue() >= 5)
                        .map(e -> e.getKey() + "@" + (e.getValue() - e.getValue() % 5)).toList()));
            }
            Map<String, List<Object>> table = items(client);
            assertThat(table).isNotEmpty();

            Replay.Result full = new Replay(config, registry, FoldRegistry.fromClassPath(), System.out, false)
                .run(ReplayOptions.full());
            assertThat(full.eventsReplayed()).isEqualTo(EVENTS);
            assertThat(items(client)).as("the table after a full replay").isEqualTo(table);

            Replay.Result late = new Replay(config, registry, FoldRegistry.fromClassPath(), System.out, false)
                .run(ReplayOptions.from(START.plusSeconds(EVENTS - 30), ReplayOptions.SeedSource.AUTO));
            assertThat(late.seeds()).as("aggregates seeded from DynamoDB").isPositive();
            assertThat(late.eventsReplayed()).isLessThan(EVENTS);
            assertThat(items(client)).as("the table after a seeded replay").isEqualTo(table);
        }
    }

    @Test
    @Timeout(180)
    void shouldFailTheReplayWithTheWritersErrorWhenDynamoDbRefusesItsWrites() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); DynamoDbServer dynamo = DynamoDbServer.startWithAccessControl()) {
            // an IAM policy without dynamodb:BatchWriteItem: the processor starts (it checks and creates the
            // table), its writer cannot write a snapshot
            Map<String, String> settings = new HashMap<>(dynamo.processorSettings(dynamo.credentialsAllowing(
                "dynamodb:DescribeTable", "dynamodb:CreateTable", "dynamodb:Query", "dynamodb:Scan")));
            settings.put("sink.restart.backoff.ms", "100");
            settings.put("sink.restart.backoff.max.ms", "200");
            ProcessorConfig config = config(kafka, "replay-dynamodb-refused", settings);
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            try (ProcessorApp app = ProcessorApp.start(config, registry)) {
                produceAndFold(kafka, config, registry, app);
            }

            Replay replay = new Replay(config, registry, FoldRegistry.fromClassPath(), System.out, false);
            assertThatThrownBy(() -> replay.run(ReplayOptions.full()))
                .as("the replay gives up on a writer that cannot write, rather than waiting for it forever")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The DynamoDB writer keeps failing")
                .hasMessageContaining("refuses the credentials for table 'inventory_snapshots'");
        }
    }

    private ProcessorConfig config(EmbeddedKafka kafka, String applicationId, Map<String, String> dynamoDb) {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        values.put("kafka.application.id", applicationId);
        values.put("schema.registry.url", "mock://" + applicationId);
        values.put("kafka.state.dir", stateDir.toString());
        values.put("topics.partitions", "2");
        values.put("snapshot.policy", "count");
        values.put("snapshot.every.events", "5");
        values.put("http.port", "0");
        values.putAll(dynamoDb);
        values.put("dynamodb.retention.keep", "3");
        return new ProcessorConfig(values);
    }

    /** Produces the sample events and waits until {@code app} has folded them; returns each aggregate's last sequence. */
    private static Map<String, Long> produceAndFold(EmbeddedKafka kafka, ProcessorConfig config,
                                                    InMemorySchemaRegistry registry, ProcessorApp app) throws Exception {
        Map<String, Long> versions = new HashMap<>();
        produce(kafka, config, registry, versions);
        ReadOnlyKeyValueStore<String, AggregateRecord> store = app.aggregates(TIMEOUT);
        Await.until("every event folded", TIMEOUT, () -> versions.entrySet().stream()
            .allMatch(e -> store.get(e.getKey()) != null && store.get(e.getKey()).getVersion() == e.getValue()));
        return versions;
    }

    private static void produce(EmbeddedKafka kafka, ProcessorConfig config, InMemorySchemaRegistry registry,
                                Map<String, Long> versions) {
        EventEncoder encoder = new EventEncoder(new AvroWireCodec(registry), config.eventsTopic());
        SampleInventoryStream stream = new SampleInventoryStream(5, 4, 1, START, 1000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                SampleEvent e = stream.next();
                versions.put(e.aggregateId(), e.sequence());
                producer.send(new ProducerRecord<>(config.eventsTopic(), null, e.timestamp().toEpochMilli(),
                    e.aggregateId(), encoder.encode(e.eventId(), e.aggregateId(), e.aggregateType(), e.sequence(),
                        e.timestamp(), e.payload())));
            }
        }
    }

    /** "aggregateId@version" → (state bytes, checksum, fold version) of every item in the table. */
    private static Map<String, List<Object>> items(DynamoDbClient client) {
        Map<String, List<Object>> items = new HashMap<>();
        client.scanPaginator(b -> b.tableName("inventory_snapshots").consistentRead(true)).items().forEach(item ->
            items.put(item.get(SnapshotItems.AGGREGATE_ID).s() + "@" + item.get(SnapshotItems.VERSION).n(),
                List.of(item.get(SnapshotItems.STATE).b(), item.get(SnapshotItems.CHECKSUM).s(),
                    item.get(SnapshotItems.FOLD_VERSION).n())));
        return items;
    }
}
