package io.snapshotter.tests.dynamodb;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.sink.SnapshotRelay;
import io.snapshotter.dynamodb.DynamoDbBackend;
import io.snapshotter.testkit.DynamoDbServer;
import io.snapshotter.dynamodb.DynamoDbSettings;
import io.snapshotter.dynamodb.Snapshots;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.testkit.FaultProxy;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.tests.testing.Await;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The writer between a real broker's snapshot topic and DynamoDB Local. */
class DynamoDbSnapshotWriterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static EmbeddedKafka kafka;
    private static DynamoDbServer dynamo;
    /** Between the writer and DynamoDB: an outage is a refused connection, as a host down is. */
    private static FaultProxy proxy;
    private static DynamoDbClient client;
    /** Past the proxy: the test's own reads never count among the writer's calls in flight. */
    private static DynamoDbClient direct;

    private final Snapshots snapshots = new Snapshots();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ProcessorConfig config;
    private DynamoDbBackend store;
    private SnapshotRelay writer;

    @BeforeAll
    static void startServices() throws Exception {
        kafka = EmbeddedKafka.start();
        dynamo = DynamoDbServer.start();
        proxy = FaultProxy.start(dynamo.port());
        client = DynamoDbServer.client(proxy.httpEndpoint());
        direct = DynamoDbServer.client("http://127.0.0.1:" + dynamo.port());
    }

    @AfterAll
    static void stopServices() throws Exception {
        client.close();
        direct.close();
        proxy.close();
        dynamo.close();
        kafka.close();
    }

    @BeforeEach
    void configure(TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName();
        config = new ProcessorConfig(Map.of(
            "kafka.bootstrap.servers", kafka.bootstrapServers(),
            "kafka.application.id", name,
            "topic.snapshots", name + "-snapshots",
            "topic.dead.letters", name + "-dlq",
            "dynamodb.enabled", "true",
            "dynamodb.table", name,
            "dynamodb.table.create", "true",
            "dynamodb.retention.keep", "3",
            "dynamodb.retry.backoff.ms", "20",
            "dynamodb.retry.backoff.max.ms", "200"));
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(config.snapshotsTopic(), 3, (short) 1),
                new NewTopic(config.deadLetterTopic(), 1, (short) 1))).all().get();
        }
        store = DynamoDbBackend.open(client, DynamoDbSettings.from(config.originals()), snapshots.codec, meters);
    }

    @AfterEach
    void stopWriter() {
        store.close();
    }

    private void startWriter() {
        writer = ProcessorApp.startRelay(config, snapshots.codec, store.sink(), meters);
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private void produce(List<Snapshot> items) {
        produce(items, null);
    }

    /** Produces {@code items} to {@code partition}, or by key when null. */
    private void produce(List<Snapshot> items, Integer partition) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                    4 * 1024 * 1024), new StringSerializer(), new ByteArraySerializer())) {
            for (Snapshot snapshot : items) {
                producer.send(new ProducerRecord<>(config.snapshotsTopic(), partition, snapshot.getAggregateId(),
                    snapshots.encode(config.snapshotsTopic(), snapshot)));
            }
        }
    }

    private static List<Snapshot> versions(int aggregates, long from, long to, Snapshots snapshots) {
        List<Snapshot> list = new ArrayList<>();
        for (long version = from; version <= to; version++) {
            for (int a = 0; a < aggregates; a++) {
                list.add(snapshots.of("item-" + a, version));
            }
        }
        return list;
    }

    private long items() {
        return client.scan(b -> b.tableName(config.getString(DynamoDbSettings.TABLE))).count();
    }

    private long committed() throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(config.applicationId() + "-dynamodb-writer")
                .partitionsToOffsetAndMetadata().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    private static void waitUntil(String what, Await.Condition condition) throws InterruptedException {
        Await.until(what, TIMEOUT, condition);
    }

    @Test
    void shouldCopyEverySnapshotIntoTheTableThenCommit() throws Exception {
        produce(versions(10, 1, 3, snapshots));
        startWriter();

        waitUntil("30 items in the table", () -> items() == 30);
        waitUntil("offsets committed", () -> committed() == 30);
        waitUntil("no lag", () -> writer.lag() == 0);
        assertThat(meters.counter("snapshotter.dynamodb.snapshots.written").count()).isEqualTo(30.0);
        assertThat(meters.get("snapshotter.dynamodb.write").timer().count()).isPositive();
        assertThat(store.history().latest("item-7").orElseThrow().snapshot()).isEqualTo(snapshots.of("item-7", 3));
    }

    @Test
    void shouldKeepTheNewestKPerAggregateAsItWrites() throws Exception {
        produce(versions(2, 1, 6, snapshots));
        startWriter();

        waitUntil("offsets committed", () -> committed() == 12);
        assertThat(items()).isEqualTo(6);
        assertThat(store.history().history("item-1", 10, null).snapshots()).extracting(s -> s.snapshot().getVersion())
            .containsExactly(6L, 5L, 4L);
    }

    @Test
    void shouldRewriteASnapshotReadTwiceHarmlessly() throws Exception {
        produce(versions(3, 1, 2, snapshots));
        produce(versions(3, 1, 2, snapshots));
        startWriter();

        waitUntil("offsets committed", () -> committed() == 12);
        assertThat(items()).isEqualTo(6);
    }

    @Test
    void shouldCatchUpWithNothingLostAfterDynamoDbWasDown() throws Exception {
        startWriter();
        produce(versions(5, 1, 2, snapshots));
        waitUntil("the first 10 in the table", () -> items() == 10);
        waitUntil("the first 10 committed", () -> committed() == 10);

        proxy.refuse();
        try {
            produce(versions(5, 3, 4, snapshots));
            waitUntil("the writer retrying", () -> meters.counter("snapshotter.dynamodb.retries").count() >= 2);
            waitUntil("the lag showing the 10 unwritten", () -> writer.lag() == 10);
            assertThat(committed()).as("nothing committed past what DynamoDB has").isEqualTo(10);
        } finally {
            proxy.pass();
        }

        waitUntil("the newest 3 of each of the 5 aggregates in the table", () -> items() == 15);
        waitUntil("all committed", () -> committed() == 20);
        waitUntil("no lag", () -> writer.lag() == 0);
        for (int a = 0; a < 5; a++) {
            assertThat(store.history().history("item-" + a, 10, null).snapshots()).extracting(s -> s.snapshot().getVersion())
                .containsExactly(4L, 3L, 2L);
        }
    }

    @Test
    void shouldStoreASnapshotLargerThanAnItemInChunksAndWriteTheRest() throws Exception {
        StringBuilder noise = new StringBuilder();
        Random random = new Random(1);
        while (noise.length() < 800_000) {
            noise.append((char) ('!' + random.nextInt(90)));
        }
        Snapshot huge = snapshots.of("item-big", 1, noise.toString());
        produce(List.of(snapshots.of("item-1", 1), huge, snapshots.of("item-2", 1)));
        startWriter();

        waitUntil("offsets committed", () -> committed() == 3);
        assertThat(items()).as("two single items, and a head with its chunks").isGreaterThan(3);
        assertThat(store.history().latest("item-big")).get()
            .satisfies(stored -> assertThat(stored.snapshot().getChecksum()).isEqualTo(huge.getChecksum()));
        assertThat(store.history().latest("item-1")).isPresent();
        assertThat(store.history().latest("item-2")).isPresent();
        assertThat(meters.find("snapshotter.dynamodb.snapshots.dead.lettered").counters())
            .allSatisfy(counter -> assertThat(counter.count()).isZero());
    }

    @Test
    void shouldWriteAggregatesSideBySideAndCommitTheBatchOnlyOnceEveryGroupIsWritten() throws Exception {
        // one partition, one batch: item-held first, then 12 others, of which some are in other groups
        List<Snapshot> batch = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (int a = 0; a < 12; a++) {
            others.add("item-" + a);
        }
        for (long version = 1; version <= 4; version++) {
            batch.add(snapshots.of("item-held", version));
            for (String id : others) {
                batch.add(snapshots.of(id, version));
            }
        }
        produce(batch, 0);
        proxy.holdResponsesTo("item-held");
        try {
            startWriter();
            // on one thread, the held call stops every other write behind it
            waitUntil("another aggregate written and pruned to its newest 3 while item-held's call is held",
                () -> others.stream().anyMatch(id -> storedVersions(id).equals(List.of(2L, 3L, 4L))));
            assertThat(proxy.heldResponses()).isEqualTo(1);
            assertThat(proxy.maxRequestsInFlight()).as("the writer's calls in flight at once").isGreaterThanOrEqualTo(2);
            assertThat(committed()).as("nothing of the batch committed while one group is held").isZero();
        } finally {
            proxy.pass();
        }

        waitUntil("the batch committed", () -> committed() == batch.size());
        assertThat(storedVersions("item-held")).containsExactly(2L, 3L, 4L);
        for (String id : others) {
            assertThat(storedVersions(id)).as(id).containsExactly(2L, 3L, 4L);
        }
        assertThat(meters.counter("snapshotter.dynamodb.snapshots.written").count()).isEqualTo(batch.size());
    }

    private List<Long> storedVersions(String aggregateId) {
        return direct.query(b -> b.tableName(config.getString(DynamoDbSettings.TABLE)).consistentRead(true)
                .keyConditionExpression("#id = :id").expressionAttributeNames(Map.of("#id", "aggregateId"))
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(aggregateId))))
            .items().stream().map(item -> Long.parseLong(item.get("version").n())).sorted().toList();
    }
}
