package io.snapshotter.tests.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.dynamodb.DynamoDbBackend;
import io.snapshotter.testkit.DynamoDbServer;
import io.snapshotter.dynamodb.DynamoDbSettings;
import io.snapshotter.dynamodb.Snapshots;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.sink.SnapshotRelay;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.tests.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Errors DynamoDB (moto's server) returns that waiting does not cure: an invalid item, a missing table. */
class DynamoDbWriterFaultsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static EmbeddedKafka kafka;
    private static DynamoDbServer dynamo;
    private static DynamoDbClient client;

    private final Snapshots snapshots = new Snapshots();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ProcessorConfig config;
    private String table;
    private DynamoDbBackend store;
    private SnapshotRelay writer;

    @BeforeAll
    static void startServices() throws Exception {
        kafka = EmbeddedKafka.start();
        dynamo = DynamoDbServer.start();
        client = DynamoDbServer.client("http://127.0.0.1:" + dynamo.port());
    }

    @AfterAll
    static void stopServices() throws Exception {
        client.close();
        dynamo.close();
        kafka.close();
    }

    @BeforeEach
    void configure(TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName();
        table = name + "-table";
        config = new ProcessorConfig(Map.ofEntries(
            Map.entry("kafka.bootstrap.servers", kafka.bootstrapServers()),
            Map.entry("kafka.application.id", name),
            Map.entry("topic.snapshots", name + "-snapshots"),
            Map.entry("topic.dead.letters", name + "-dlq"),
            Map.entry("dynamodb.enabled", "true"),
            Map.entry("dynamodb.table", table),
            Map.entry("dynamodb.table.create", "true"),
            Map.entry("dynamodb.retry.backoff.ms", "20"),
            Map.entry("dynamodb.retry.backoff.max.ms", "200"),
            Map.entry("sink.restart.backoff.ms", "50"),
            Map.entry("sink.restart.backoff.max.ms", "200")));
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(config.snapshotsTopic(), 1, (short) 1),
                new NewTopic(config.deadLetterTopic(), 1, (short) 1))).all().get();
        }
        store = DynamoDbBackend.open(client, DynamoDbSettings.from(config.originals()), snapshots.codec, meters);
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.close();
        }
        store.close();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private void produce(List<Snapshot> items) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            for (Snapshot snapshot : items) {
                producer.send(new ProducerRecord<>(config.snapshotsTopic(), snapshot.getAggregateId(),
                    snapshots.encode(config.snapshotsTopic(), snapshot)));
            }
        }
    }

    private long items() {
        return client.scan(b -> b.tableName(table)).count();
    }

    private long committed() throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(config.applicationId() + "-dynamodb-writer")
                .partitionsToOffsetAndMetadata().get().values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        }
    }

    private static void waitUntil(String what, Await.Condition condition) throws InterruptedException {
        Await.until(what, TIMEOUT, condition);
    }

    @Test
    void shouldDeadLetterOnlyTheItemDynamoDbRefusesAndWriteTheRest() throws Exception {
        // an empty key attribute: DynamoDB refuses the whole BatchWriteItem with a ValidationException
        Snapshot invalid = snapshots.of("", 1);
        byte[] invalidBytes = snapshots.encode(config.snapshotsTopic(), invalid);
        produce(List.of(snapshots.of("item-1", 1), snapshots.of("item-2", 1), invalid, snapshots.of("item-3", 1),
            snapshots.of("item-4", 1)));
        writer = ProcessorApp.startRelay(config, snapshots.codec, store.sink(), meters);

        waitUntil("all 5 committed", () -> committed() == 5);
        assertThat(items()).as("the four valid snapshots written").isEqualTo(4);
        assertThat(meters.counter("snapshotter.dynamodb.snapshots.dead.lettered", "reason", "SNAPSHOT_REFUSED").count())
            .isEqualTo(1.0);
        assertThat(writer.healthy()).isTrue();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(config.deadLetterTopic()));
            List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
            waitUntil("the dead letter", () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(deadLetters::add);
                return !deadLetters.isEmpty();
            });
            assertThat(deadLetters).hasSize(1);
            ConsumerRecord<byte[], byte[]> deadLetter = deadLetters.get(0);
            assertThat(deadLetter.value()).isEqualTo(invalidBytes);
            assertThat(DeadLetters.header(deadLetter.headers(), DeadLetters.REASON))
                .isEqualTo(DeadLetterReason.SNAPSHOT_REFUSED.name());
            assertThat(DeadLetters.header(deadLetter.headers(), DeadLetters.ERROR)).contains("ValidationException");
        }
    }

    @Test
    void shouldShowTheWriterFailingWithTheTableNameWhileTheTableIsMissing() throws Exception {
        client.deleteTable(b -> b.tableName(table));
        produce(List.of(snapshots.of("item-1", 1), snapshots.of("item-2", 1)));
        writer = ProcessorApp.startRelay(config, snapshots.codec, store.sink(), meters);

        waitUntil("the writer failing twice", () -> writer.status().failures() >= 2);
        assertThat(writer.healthy()).isFalse();
        assertThat(writer.status().lastError()).contains("'" + table + "'").contains("does not exist");
        assertThat(meters.get("snapshotter.dynamodb.writer.alive").gauge().value()).isEqualTo(0.0);
        assertThat(committed()).isZero();

        DynamoDbBackend.open(client, DynamoDbSettings.from(config.originals()), snapshots.codec, new SimpleMeterRegistry())
            .close();
        waitUntil("the writer catching up once the table is back", () -> committed() == 2 && writer.healthy());
        assertThat(items()).isEqualTo(2);
    }
}
