package io.snapshotter.tests.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.dynamodb.Snapshots;
import io.snapshotter.sink.SinkContext;
import io.snapshotter.sink.SinkRecord;
import io.snapshotter.sink.SnapshotRelay;
import io.snapshotter.sink.SnapshotSink;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.tests.testing.Await;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The generic relay on a real broker, with a sink the test steers (SnapshotSink is the product's
 * plug-in interface): records polled while the sink waits, rebalances during the wait, a sink that
 * throws, dead letters the broker refuses.
 */
class SnapshotRelayFaultsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** keepAlive rounds after a rebalance, enough for a poll to fetch what an unpaused partition holds. */
    private static final int ROUNDS_AFTER_REBALANCE = 100;

    private static EmbeddedKafka kafka;

    private final Snapshots snapshots = new Snapshots();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Deque<SnapshotRelay> relays = new ArrayDeque<>();
    private String name;
    private ProcessorConfig config;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void configure(TestInfo test) {
        name = test.getTestMethod().orElseThrow().getName();
        config = new ProcessorConfig(Map.of(
            "kafka.bootstrap.servers", kafka.bootstrapServers(),
            "kafka.application.id", name,
            "topic.snapshots", name + "-snapshots",
            "topic.dead.letters", name + "-dlq",
            // the leader sees a grown topic soon, and rebalances
            "kafka.consumer.metadata.max.age.ms", "200",
            "sink.restart.backoff.ms", "50",
            "sink.restart.backoff.max.ms", "200"));
    }

    @AfterEach
    void stopRelays() {
        while (!relays.isEmpty()) {
            relays.pop().close();
        }
    }

    /**
     * A sink that records what it took; its next write can be held (keeping alive), made to throw, or to
     * report errant records. Like a real sink, it leaves the records its relay no longer owns unwritten,
     * and records them.
     */
    static final class ScriptedSink implements SnapshotSink {
        final Set<String> written = ConcurrentHashMap.newKeySet();
        final Set<String> disowned = ConcurrentHashMap.newKeySet();
        final Set<String> heldBatch = ConcurrentHashMap.newKeySet();
        final CountDownLatch holding = new CountDownLatch(1);
        final AtomicInteger keepAlives = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        volatile CountDownLatch hold;
        volatile boolean failing;
        volatile Predicate<SinkRecord> errant = record -> false;

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public int write(List<SinkRecord> batch, SinkContext context) {
            if (failing) {
                failures.incrementAndGet();
                throw new IllegalStateException("the scripted sink fails");
            }
            CountDownLatch held = hold;
            if (held != null) {
                batch.forEach(record -> heldBatch.add(key(record.source().partition(), record.source().offset())));
                holding.countDown();
                try {
                    while (!held.await(10, TimeUnit.MILLISECONDS)) {
                        if (!context.running()) {
                            throw new Stopped();
                        }
                        context.keepAlive();
                        keepAlives.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Stopped();
                }
                hold = null;
            }
            int taken = 0;
            for (SinkRecord record : batch) {
                if (!context.owns(record)) {
                    disowned.add(key(record.source().partition(), record.source().offset()));
                } else if (errant.test(record)) {
                    context.reportErrant(record, DeadLetterReason.SNAPSHOT_TOO_LARGE, "scripted: too large");
                } else {
                    written.add(key(record.source().partition(), record.source().offset()));
                    taken++;
                }
            }
            return taken;
        }
    }

    private static String key(int partition, long offset) {
        return partition + "@" + offset;
    }

    private SnapshotRelay startRelay(SnapshotSink sink, SimpleMeterRegistry registry) {
        SnapshotRelay relay = ProcessorApp.startRelay(config, snapshots.codec, sink, registry);
        relays.push(relay);
        return relay;
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private void createTopics(int partitions, Map<String, String> deadLetterConfig) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                new NewTopic(config.snapshotsTopic(), partitions, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(8 << 20))),
                new NewTopic(config.deadLetterTopic(), 1, (short) 1).configs(deadLetterConfig))).all().get();
        }
    }

    /** Produces {@code count} snapshots to {@code partition}; returns their values. */
    private List<byte[]> produce(int partition, int count, String stateName) {
        List<byte[]> values = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String id = "item-" + partition + "-" + i + "-" + System.nanoTime();
                byte[] value = snapshots.encode(config.snapshotsTopic(), snapshots.of(id, 1, stateName));
                producer.send(new ProducerRecord<>(config.snapshotsTopic(), partition, id, value));
                values.add(value);
            }
        }
        return values;
    }

    private Map<Integer, Long> committed() throws Exception {
        try (Admin admin = admin()) {
            Map<Integer, Long> offsets = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> all = admin.listConsumerGroupOffsets(config.applicationId()
                + "-scripted-writer").partitionsToOffsetAndMetadata().get();
            all.forEach((partition, offset) -> {
                if (offset != null) {
                    offsets.put(partition.partition(), offset.offset());
                }
            });
            return offsets;
        }
    }

    private long committedTotal() throws Exception {
        return committed().values().stream().mapToLong(Long::longValue).sum();
    }

    /** The partitions each member of the writer group holds, by client id; empty while it rebalances. */
    private Map<String, Set<TopicPartition>> assignments() throws Exception {
        try (Admin admin = admin()) {
            String group = config.applicationId() + "-scripted-writer";
            var description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            Map<String, Set<TopicPartition>> byMember = new HashMap<>();
            if (!description.groupState().toString().equalsIgnoreCase("Stable")) {
                return byMember;
            }
            for (MemberDescription member : description.members()) {
                byMember.put(member.consumerId(), member.assignment().topicPartitions());
            }
            return byMember;
        }
    }

    /** Every committed offset covers only records the sinks took (or dead-lettered). */
    private void assertCommittedOnlyWritten(Set<String> written, Map<Integer, Long> committed) {
        committed.forEach((partition, offset) -> {
            for (long o = 0; o < offset; o++) {
                assertThat(written).as("committed past %s-%d, which no sink took", partition, o).contains(key(partition, o));
            }
        });
    }

    private static void waitUntil(String what, Await.Condition condition) throws InterruptedException {
        Await.until(what, TIMEOUT, condition);
    }

    @Test
    void shouldWriteEveryRecordPolledWhileTheSinkWaits() throws Exception {
        createTopics(2, Map.of());
        ScriptedSink sink = new ScriptedSink();
        sink.hold = new CountDownLatch(1);
        CountDownLatch release = sink.hold;
        produce(0, 5, "Widget");
        produce(1, 5, "Widget");
        startRelay(sink, meters);
        waitUntil("the sink holding its first batch", () -> sink.holding.getCount() == 0);

        // the topic grows while the sink waits: the relay's group rebalances, every partition assigned afresh
        try (Admin admin = admin()) {
            admin.createPartitions(Map.of(config.snapshotsTopic(), NewPartitions.increaseTo(4))).all().get();
        }
        for (int p = 0; p < 4; p++) {
            produce(p, 5, "Widget");
        }
        waitUntil("the writer holding 4 partitions", () -> assignments().values().stream().mapToInt(Set::size).sum() == 4);
        int before = sink.keepAlives.get();
        waitUntil("the sink keeping alive after the rebalance", () -> sink.keepAlives.get() > before + ROUNDS_AFTER_REBALANCE);
        release.countDown();

        waitUntil("all 30 committed", () -> committedTotal() == 30);
        assertThat(sink.written).as("every record written, none skipped").hasSize(30);
        assertCommittedOnlyWritten(sink.written, committed());
    }

    @Test
    void shouldLoseAndCommitNothingWhenASecondWriterJoinsDuringTheWait() throws Exception {
        createTopics(3, Map.of());
        ScriptedSink first = new ScriptedSink();
        first.hold = new CountDownLatch(1);
        CountDownLatch release = first.hold;
        for (int p = 0; p < 3; p++) {
            produce(p, 3, "Widget");
        }
        startRelay(first, meters);
        waitUntil("the first writer holding its batch", () -> first.holding.getCount() == 0);

        // a rolling deploy: a second instance joins while the first waits out an outage
        ScriptedSink second = new ScriptedSink();
        startRelay(second, new SimpleMeterRegistry());
        waitUntil("two writers sharing the partitions", () -> assignments().size() == 2
            && assignments().values().stream().allMatch(partitions -> !partitions.isEmpty()));
        for (int p = 0; p < 3; p++) {
            produce(p, 3, "Widget");
        }
        int before = first.keepAlives.get();
        waitUntil("the first writer keeping alive after the rebalance",
            () -> first.keepAlives.get() > before + ROUNDS_AFTER_REBALANCE);
        waitUntil("the second writer writing its partitions", () -> !second.written.isEmpty());
        Set<TopicPartition> moved = assignments().values().stream()
            .filter(partitions -> partitions.stream().anyMatch(p -> second.written.contains(key(p.partition(), 0))))
            .findFirst().orElseThrow();
        release.countDown();

        Set<String> written = ConcurrentHashMap.newKeySet();
        List<String> committedUnwritten = new ArrayList<>();
        waitUntil("all 18 committed", () -> {
            Map<Integer, Long> committed = committed();
            // a sink takes a record before its offset is committed: read in this order, nothing is missed
            written.addAll(first.written);
            written.addAll(second.written);
            committed.forEach((partition, offset) -> {
                for (long o = 0; o < offset; o++) {
                    if (!written.contains(key(partition, o))) {
                        committedUnwritten.add(key(partition, o));
                    }
                }
            });
            return committed.values().stream().mapToLong(Long::longValue).sum() == 18;
        });
        assertThat(committedUnwritten).as("offsets committed past records no writer took").isEmpty();
        for (int p = 0; p < 3; p++) {
            for (long o = 0; o < 6; o++) {
                assertThat(written).as("record %d-%d written", p, o).contains(key(p, o));
            }
        }
        // the held batch's records of the partitions the second writer took: the first told its sink
        // to leave them, so no late write of the first could bring back what the second pruned
        List<String> heldOfMoved = first.heldBatch.stream()
            .filter(key -> moved.stream().anyMatch(p -> key.startsWith(p.partition() + "@"))).toList();
        assertThat(heldOfMoved).as("the held batch had records of the partitions that moved").isNotEmpty();
        assertThat(first.disowned).containsAll(heldOfMoved);
        assertThat(first.written).doesNotContainAnyElementsOf(heldOfMoved);
    }

    @Test
    void shouldRestartASinkThatThrowsAndShowItsLiveness() throws Exception {
        createTopics(1, Map.of());
        ScriptedSink sink = new ScriptedSink();
        sink.failing = true;
        produce(0, 5, "Widget");
        SnapshotRelay relay = startRelay(sink, meters);

        waitUntil("the writer failing twice in a row", () -> relay.status().failures() >= 2);
        assertThat(relay.healthy()).isFalse();
        assertThat(relay.status().lastError()).contains("the scripted sink fails");
        assertThat(meters.get("snapshotter.scripted.writer.alive").gauge().value()).isEqualTo(0.0);
        assertThat(committedTotal()).isZero();

        sink.failing = false;
        waitUntil("the restarted writer writing", () -> relay.healthy() && committedTotal() == 5);
        assertThat(sink.written).hasSize(5);
        assertThat(sink.failures.get()).isGreaterThanOrEqualTo(2);
        assertThat(relay.status().failures()).isZero();
        assertThat(meters.get("snapshotter.scripted.writer.alive").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void shouldNotCommitOverADeadLetterTheBrokerRefused() throws Exception {
        // the dead-letter topic takes no record above 1 KiB: the broker refuses the dead letter
        createTopics(1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"));
        ScriptedSink sink = new ScriptedSink();
        sink.errant = record -> record.source().value().length > 2048;
        produce(0, 1, "Widget");
        byte[] large = produce(0, 1, noise(8_000)).get(0);
        produce(0, 1, "Widget");
        SnapshotRelay relay = startRelay(sink, meters);

        waitUntil("the writer failing on the refused dead letter twice", () -> relay.status().failures() >= 2);
        assertThat(relay.status().lastError()).contains(config.deadLetterTopic());
        assertThat(committedTotal()).as("nothing committed over the lost dead letter").isZero();

        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, config.deadLetterTopic()),
                List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(1 << 20)),
                    AlterConfigOp.OpType.SET)))).all().get();
        }
        waitUntil("all 3 committed", () -> committedTotal() == 3);
        assertThat(deadLetters()).anySatisfy(value -> assertThat(value).isEqualTo(large));
        assertThat(relay.healthy()).isTrue();
    }

    @Test
    void shouldDeadLetterASnapshotAsLargeAsSnapshotMaxBytesAllows() throws Exception {
        createTopics(1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(8 << 20)));
        ScriptedSink sink = new ScriptedSink();
        sink.errant = record -> record.source().value().length > 1 << 20;
        byte[] large = produce(0, 1, noise(2_000_000)).get(0);
        assertThat(large.length).as("above the producer's default max.request.size").isGreaterThan(1 << 20);
        produce(0, 1, "Widget");
        SnapshotRelay relay = startRelay(sink, meters);

        waitUntil("both committed", () -> committedTotal() == 2);
        assertThat(deadLetters()).anySatisfy(value -> assertThat(value).isEqualTo(large));
        assertThat(relay.status().failures()).isZero();
    }

    private static String noise(int length) {
        StringBuilder noise = new StringBuilder();
        Random random = new Random(length);
        while (noise.length() < length) {
            noise.append((char) ('!' + random.nextInt(90)));
        }
        return noise.toString();
    }

    private List<byte[]> deadLetters() throws InterruptedException {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, name + "-dlq-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(config.deadLetterTopic()));
            List<byte[]> values = new ArrayList<>();
            waitUntil("a dead letter", () -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return !values.isEmpty();
            });
            return values;
        }
    }
}
