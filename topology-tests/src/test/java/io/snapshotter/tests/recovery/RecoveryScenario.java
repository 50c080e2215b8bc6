package io.snapshotter.tests.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.WarehouseFold;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.tests.http.ServedJson;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.tests.testing.Await;
import io.snapshotter.tests.testing.ReferenceFold;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What the crash and recovery tests share: a seeded stream of sample inventory events with its
 * reference fold (each aggregate's final state and version, and its state at every count snapshot),
 * the processor's configuration for one fresh application id and set of topics, producing the
 * events (all at once or paced in the background), and the three checks of the outcome:
 * <ol>
 *   <li>every aggregate served over HTTP has the reference state and version (nothing lost, nothing
 *       folded twice);</li>
 *   <li>on the snapshots topic, read committed, no two snapshots of the same aggregate and version
 *       differ (state bytes, checksum), and each appears once (exactly-once);</li>
 *   <li>every count snapshot (each multiple of {@link #EVERY_EVENTS}) is there, with the reference
 *       state of that version, and no other.</li>
 * </ol>
 */
final class RecoveryScenario implements AutoCloseable {

    static final int EVERY_EVENTS = 10;
    static final int PARTITIONS = 3;
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Events produced before the background producer of {@link #startMidStream} starts. */
    static final int BEFORE_CRASH = 4_000;
    /** Where that background producer stops. */
    static final int ARRIVING_UNTIL = 9_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String bootstrapServers;
    private final String registryUrl;
    private final String prefix;
    private final List<SampleEvent> events = new ArrayList<>();
    private final Map<String, SpecificRecord> finalStates;
    private final Map<String, Long> versions;
    /** Reference state of each count snapshot, by {@code aggregateId@version}. */
    private final Map<String, SpecificRecord> snapshotStates = new TreeMap<>();
    private final AvroWireCodec codec;
    private final EventEncoder encoder;
    private final KafkaProducer<String, byte[]> producer;

    /**
     * @param eventCount events over {@code items} items and {@code warehouses} warehouses, seeded
     */
    RecoveryScenario(String name, String bootstrapServers, String registryUrl, long seed, int items, int warehouses,
                     int eventCount) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.prefix = name + "-" + System.nanoTime();
        SampleInventoryStream stream = new SampleInventoryStream(seed, items, warehouses,
            Instant.parse("2027-01-01T00:00:00Z"), 1000);
        ReferenceFold reference = new ReferenceFold();
        for (int i = 0; i < eventCount; i++) {
            SampleEvent event = stream.next();
            events.add(event);
            SpecificRecord state = reference.apply(event);
            if (event.sequence() % EVERY_EVENTS == 0) {
                snapshotStates.put(event.aggregateId() + "@" + event.sequence(), state);
            }
        }
        this.finalStates = reference.states();
        this.versions = reference.versions();
        this.codec = new AvroWireCodec(new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(registryUrl)));
        this.encoder = new EventEncoder(codec, eventsTopic());
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.LINGER_MS_CONFIG, "5"), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The processor's configuration: this scenario's application id and topics, exactly-once (the
     * default, stated), count snapshots every {@link #EVERY_EVENTS} events. Two settings differ
     * from the defaults, for the tests' sake:
     * <ul>
     *   <li>a commit (transaction) every second rather than every 100 ms, so that a crash almost
     *       always lands in a transaction whose records are already on the broker, which recovery
     *       must then abort and redo;</li>
     *   <li>a consumer session timeout of 10 s instead of 45 s: a killed or closed instance does not
     *       leave its group, and the next one gets the partitions only once that member's session
     *       has expired.</li>
     * </ul>
     */
    Map<String, String> processorConfig(Path stateDir) {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", bootstrapServers);
        config.put("kafka.application.id", prefix);
        config.put("kafka.state.dir", stateDir.toAbsolutePath().toString());
        config.put("kafka.processing.guarantee", "exactly_once_v2");
        config.put("kafka.commit.interval.ms", "1000");
        config.put("kafka.session.timeout.ms", "10000");
        config.put("schema.registry.url", registryUrl);
        config.put("topic.events", eventsTopic());
        config.put("topic.snapshots", snapshotsTopic());
        config.put("topic.dead.letters", deadLettersTopic());
        config.put("topic.snapshot.requests", prefix + "-snapshot-requests");
        config.put("topics.partitions", String.valueOf(PARTITIONS));
        config.put("snapshot.policy", "count");
        config.put("snapshot.every.events", String.valueOf(EVERY_EVENTS));
        return config;
    }

    String eventsTopic() {
        return prefix + "-events";
    }

    String snapshotsTopic() {
        return prefix + "-snapshots";
    }

    String deadLettersTopic() {
        return prefix + "-dlq";
    }

    /**
     * Every event of the stream is good, so the dead-letter topic stays empty: an event dead-lettered
     * there (a gap, say) is one the served states miss, found here even where only a sample of a large
     * store is looked up.
     */
    void assertNoDeadLetters() throws InterruptedException {
        List<String> letters = new ArrayList<>();
        readAll(deadLettersTopic(), "read_committed", record -> letters.add(new String(record.key(),
            java.nio.charset.StandardCharsets.UTF_8) + ": " + headerOf(record, DeadLetters.REASON) + ": "
            + headerOf(record, DeadLetters.ERROR)), () -> true, false);
        assertThat(letters).as("dead letters of a stream of good events").isEmpty();
    }

    private static String headerOf(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "-" : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The changelog topic of the aggregates store. */
    String aggregatesChangelog() {
        return prefix + "-aggregates-changelog";
    }

    int eventCount() {
        return events.size();
    }

    int aggregateCount() {
        return versions.size();
    }

    /** The aggregates the first {@code eventCount} events create: those whose first event is among them. */
    int aggregatesCreatedBy(int eventCount) {
        return (int) events.subList(0, eventCount).stream().filter(event -> event.sequence() == 1).count();
    }

    int expectedSnapshots() {
        return snapshotStates.size();
    }

    /** Produces events {@code [from, to)} and waits until the broker has them all. */
    void produce(int from, int to) {
        for (SampleEvent e : events.subList(from, to)) {
            send(e);
        }
        producer.flush();
    }

    /**
     * Takes the stream to its middle, where the crash tests strike: the first {@value #BEFORE_CRASH}
     * events produced and some snapshots committed, then events up to {@value #ARRIVING_UNTIL}
     * arriving from another thread (100 every 50 ms, counted in {@code produced}), at least 1,000 of
     * them handed to the producer already. {@link #produceRest} produces the events after those.
     */
    CompletableFuture<Void> startMidStream(AtomicInteger produced) throws InterruptedException {
        produce(0, BEFORE_CRASH);
        Await.until("some snapshots committed", TIMEOUT, () -> committedSnapshots() >= 50);
        CompletableFuture<Void> arriving = produceInBackground(BEFORE_CRASH, ARRIVING_UNTIL, 100, 50, produced);
        Await.until("events arriving", TIMEOUT, () -> produced.get() >= 1_000);
        return arriving;
    }

    /** Produces the events after the ones {@link #startMidStream} produces, and waits until the broker has them. */
    void produceRest() {
        produce(ARRIVING_UNTIL, events.size());
    }

    /**
     * Produces events {@code [from, to)} from another thread, {@code batch} events every
     * {@code pauseMs}; {@code produced} counts the events handed to the producer.
     */
    private CompletableFuture<Void> produceInBackground(int from, int to, int batch, long pauseMs, AtomicInteger produced) {
        return CompletableFuture.runAsync(() -> {
            for (int i = from; i < to; i++) {
                send(events.get(i));
                produced.incrementAndGet();
                if ((i - from + 1) % batch == 0) {
                    try {
                        Thread.sleep(pauseMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            }
            producer.flush();
        });
    }

    private void send(SampleEvent e) {
        producer.send(new ProducerRecord<>(eventsTopic(), e.aggregateId(), encoder.encode(e.eventId(), e.aggregateId(),
            e.aggregateType(), e.sequence(), e.timestamp(), e.payload())), (metadata, error) -> {
                if (error != null) {
                    System.err.println("event " + e.aggregateId() + "#" + e.sequence() + " not produced: " + error);
                }
            });
    }

    /**
     * Waits until the application has committed its input offsets to the end of the events topic:
     * everything produced so far folded and committed. Cheaper than {@link #awaitCaughtUp} for a large
     * store, which asks for every aggregate.
     */
    void awaitFoldedAndCommitted() throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Await.until("offsets of " + prefix + " committed to the end of " + eventsTopic(), Duration.ofMinutes(10), () -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(prefix)
                    .partitionsToOffsetAndMetadata().get();
                var ends = admin.listOffsets(latestOf(eventsTopic())).all().get();
                return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                    || committed.containsKey(end.getKey()) && committed.get(end.getKey()).offset() >= end.getValue().offset());
            });
        }
    }

    /** The ids of the members of the application's consumer group that have a static {@code group.instance.id}, or "-" for a dynamic one. */
    List<String> groupMembers() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.describeConsumerGroups(List.of(prefix)).all().get().get(prefix).members().stream()
                .map(member -> member.groupInstanceId().orElse("-")).sorted().toList();
        }
    }

    /** Checks that {@code base} serves {@code count} aggregates, spread over the store, at their reference version. */
    void assertSampleServed(URI base, int count) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>(new TreeMap<>(versions).keySet());
        int step = Math.max(1, ids.size() / count);
        for (int i = 0; i < ids.size(); i += step) {
            String id = ids.get(i);
            HttpResponse<String> response = get(base, id);
            assertThat(response.statusCode()).as("GET /aggregates/%s", id).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).get("version").asLong()).as("version of %s", id).isEqualTo(versions.get(id));
        }
    }

    /** Produces events {@code [from, to)} from another thread, 100 every 50 ms, counted in {@code produced}. */
    CompletableFuture<Void> produceArriving(int from, int to, AtomicInteger produced) {
        return produceInBackground(from, to, 100, 50, produced);
    }

    /** Waits until {@code base} serves every aggregate at its reference version. */
    void awaitCaughtUp(URI base) throws InterruptedException {
        for (var expected : new TreeMap<>(versions).entrySet()) {
            Await.until(expected.getKey() + " at version " + expected.getValue() + " on " + base, TIMEOUT,
                () -> version(get(base, expected.getKey())) == expected.getValue());
        }
    }

    /** Check 1: every aggregate served with its reference state and version. */
    void assertServedStates(URI base) throws IOException, InterruptedException {
        for (var expected : new TreeMap<>(finalStates).entrySet()) {
            String id = expected.getKey();
            HttpResponse<String> response = get(base, id);
            assertThat(response.statusCode()).as("GET /aggregates/%s", id).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("version").asLong()).as("version of %s: events folded", id).isEqualTo(versions.get(id));
            assertThat(body.get("state").toString()).as("state of %s", id).isEqualTo(ServedJson.of(expected.getValue()));
        }
    }

    /**
     * Checks 2 and 3, reading the snapshots topic with read_committed until every expected snapshot
     * is there and then on to its last stable offset.
     *
     * @return the snapshot records read committed
     */
    int assertSnapshots() throws InterruptedException {
        Deserializer<Snapshot> deserializer = SpecificAvroSerde.forValues(codec, Snapshot.class, false).deserializer();
        Map<String, List<Snapshot>> byVersion = new TreeMap<>();
        List<ConsumerRecord<byte[], byte[]>> records = readAll(snapshotsTopic(), "read_committed",
            record -> {
                Snapshot snapshot = deserializer.deserialize(snapshotsTopic(), record.value());
                byVersion.computeIfAbsent(snapshot.getAggregateId() + "@" + snapshot.getVersion(),
                    key -> new ArrayList<>()).add(snapshot);
            },
            () -> byVersion.keySet().containsAll(snapshotStates.keySet()));
        long repeated = byVersion.values().stream().filter(list -> list.size() > 1).count();
        System.out.printf("%s: %d snapshot records read committed, %d distinct (aggregate, version), %d repeated%n",
            prefix, records.size(), byVersion.size(), repeated);

        for (var entry : byVersion.entrySet()) {
            Snapshot first = entry.getValue().get(0);
            for (Snapshot other : entry.getValue()) {
                assertThat(bytes(other.getState())).as("state bytes of the snapshots %s", entry.getKey())
                    .isEqualTo(bytes(first.getState()));
                assertThat(other.getChecksum()).as("checksum of the snapshots %s", entry.getKey())
                    .isEqualTo(first.getChecksum());
            }
        }
        assertThat(byVersion.keySet()).as("count snapshots: every multiple of %d, and no other", EVERY_EVENTS)
            .isEqualTo(snapshotStates.keySet());
        for (var entry : byVersion.entrySet()) {
            Snapshot snapshot = entry.getValue().get(0);
            assertThat(snapshot.getMetadata().getReason()).as("reason of %s", entry.getKey()).isEqualTo(SnapshotReason.COUNT);
            assertThat(codec.decode(SnapshotFactory.verifiedState(snapshot), stateTypeOf(snapshot)))
                .as("state of the snapshot %s", entry.getKey()).isEqualTo(snapshotStates.get(entry.getKey()));
        }
        assertThat(byVersion).as("exactly-once: each snapshot committed once")
            .allSatisfy((key, list) -> assertThat(list).as(key).hasSize(1));
        return records.size();
    }

    /** Snapshot records committed so far (read_committed, to the last stable offset). */
    int committedSnapshots() throws InterruptedException {
        return readAll(snapshotsTopic(), "read_committed", record -> { }, () -> true).size();
    }

    /** Records on {@code topic} read with read_uncommitted, aborted transactions' records included. */
    int uncommittedRecords(String topic) throws InterruptedException {
        return readAll(topic, "read_uncommitted", record -> { }, () -> true).size();
    }

    /**
     * The sum over {@code topic}'s partitions of its last stable offset: every offset a read_committed
     * reader can reach, records and transaction markers. Instant, where {@link #committedRecords}
     * reads the topic (minutes for the changelog of a million aggregates).
     */
    long committedEndOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.listOffsets(latestOf(topic), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                .values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        }
    }

    /** Each partition of {@code topic} to its latest offset, for {@link Admin#listOffsets}. */
    private static Map<TopicPartition, OffsetSpec> latestOf(String topic) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return latest;
    }

    /** Records of {@code topic} read with read_committed (aborted ones and transaction markers left out). */
    int committedRecords(String topic) throws InterruptedException {
        int[] count = new int[1];
        readAll(topic, "read_committed", record -> count[0]++, () -> true, false);
        return count[0];
    }

    /**
     * Reads {@code topic} from the beginning, handing each record to {@code each}, until {@code done}
     * holds and the consumer has reached the end offsets (the last stable offsets, read committed)
     * taken after that.
     */
    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolation,
                                                         java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each,
                                                         Await.Condition done) throws InterruptedException {
        return readAll(topic, isolation, each, done, true);
    }

    /** As the other, keeping the records read only when {@code keep} (a changelog of millions, counted, is not). */
    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolation,
                                                         java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each,
                                                         Await.Condition done, boolean keep) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Await.until("records on " + topic + " (" + isolation + ")", TIMEOUT, () -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (keep) {
                        records.add(record);
                    }
                    each.accept(record);
                }
                return done.holds();
            });
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // a store of a million aggregates has millions of changelog records: a minute, plus one per 20,000
            Duration reading = TIMEOUT.plusSeconds(end.values().stream().mapToLong(Long::longValue).sum() / 20_000);
            Await.until("the end of " + topic + " " + end, reading, () -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (keep) {
                        records.add(record);
                    }
                    each.accept(record);
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return records;
    }

    private static long version(HttpResponse<String> response) throws IOException {
        return response.statusCode() == 200 ? JSON.readTree(response.body()).get("version").asLong() : -1;
    }

    static HttpResponse<String> get(URI base, String aggregateId) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/aggregates/" + aggregateId)).timeout(Duration.ofSeconds(10))
            .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static Class<? extends SpecificRecord> stateTypeOf(Snapshot snapshot) {
        return snapshot.getAggregateType().equals(InventoryItemFold.AGGREGATE_TYPE)
            ? new InventoryItemFold().stateType() : new WarehouseFold().stateType();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
