package io.snapshotter.tests.replay;

import io.snapshotter.replay.Replay;
import io.snapshotter.replay.ReplayOptions;
import io.snapshotter.replay.ReplayRefusedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.WarehouseFold;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.metrics.ProcessorMeters;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.tests.testing.Await;
import io.snapshotter.tests.testing.ReferenceFold;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
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
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.tools.StreamsResetter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code replay} command on a real broker: a full replay reproduces every count snapshot
 * byte for byte, a replay from a point in time seeded from snapshots ends where a full replay
 * ends while re-folding fewer events, a fold of a new version is never seeded with an old one's
 * snapshots, a running instance makes it refuse, and Kafka's own reset tool works too.
 */
class ReplayTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int EVERY_EVENTS = 10;
    private static final int EVENTS = 3000;
    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    /** Events are 1 s apart: about the first half happened at or before this. */
    private static final Instant MIDDLE = START.plusSeconds(EVENTS / 2);

    private static EmbeddedKafka kafka;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroWireCodec codec = new AvroWireCodec(registry);
    private final ReferenceFold reference = new ReferenceFold();
    private Map<String, String> values;
    private ProcessorConfig config;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void foldEverythingOnce() throws Exception {
        String prefix = "replay-" + System.nanoTime();
        values = Map.ofEntries(
            Map.entry("kafka.bootstrap.servers", kafka.bootstrapServers()),
            Map.entry("kafka.application.id", prefix),
            Map.entry("kafka.state.dir", stateDir.toString()),
            Map.entry("schema.registry.url", "mock://replay"),
            Map.entry("topic.events", prefix + "-events"),
            Map.entry("topic.snapshots", prefix + "-snapshots"),
            Map.entry("topic.dead.letters", prefix + "-dlq"),
            Map.entry("topic.snapshot.requests", prefix + "-snapshot-requests"),
            Map.entry("topics.partitions", "3"),
            Map.entry("snapshot.policy", "hybrid"),
            Map.entry("snapshot.every.events", String.valueOf(EVERY_EVENTS)),
            Map.entry("http.port", "0"));
        config = new ProcessorConfig(values);
        SampleInventoryStream stream = new SampleInventoryStream(7, 30, 3, START, 1000);
        List<SampleEvent> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            SampleEvent e = stream.next();
            events.add(e);
            reference.apply(e);
        }
        try (ProcessorApp app = ProcessorApp.start(config, registry)) {
            produce(events);
            awaitReferenceState(app);
        }
    }

    @Test
    void shouldReproduceEveryCountSnapshotByteForByteOnAFullReplay() throws Exception {
        List<Snapshot> original = snapshots();
        Map<TopicPartition, Long> replayStart = snapshotsEnd();

        Replay.Result result = replay(ReplayOptions.full(), FoldRegistry.fromClassPath());

        assertThat(result.eventsTotal()).isEqualTo(EVENTS);
        assertThat(result.eventsReplayed()).isEqualTo(EVENTS);
        List<Snapshot> all = snapshots();
        List<Snapshot> replayed = snapshotsAfter(replayStart);
        assertThat(countSnapshots(replayed)).as("the replay's count snapshots: same ids, versions and state bytes")
            .isEqualTo(countSnapshots(original)).isNotEmpty();
        assertThat(latestPerAggregate(all)).as("a compacted-topic reader sees the same latest snapshot")
            .isEqualTo(latestPerAggregate(original));
        assertThat(storeAfterReplay()).isEqualTo(referenceStore());
    }

    @Test
    void shouldEndWhereAFullReplayEndsWhenSeededFromSnapshotsTakenAtOrBeforeAPoint() throws Exception {
        List<Snapshot> original = snapshots();
        Map<TopicPartition, Long> replayStart = snapshotsEnd();

        Replay.Result fromMiddle = replay(ReplayOptions.from(MIDDLE, ReplayOptions.SeedSource.TOPIC),
            FoldRegistry.fromClassPath());
        List<Snapshot> seededReplay = snapshotsAfter(replayStart);
        Map<String, Object> seededStore = storeAfterReplay();
        Replay.Result full = replay(ReplayOptions.full(), FoldRegistry.fromClassPath());
        Map<String, Object> fullStore = storeAfterReplay();

        assertThat(seededStore).isEqualTo(fullStore).isEqualTo(referenceStore());
        assertThat(fromMiddle.seeds()).as("aggregates seeded").isGreaterThan(0);
        assertThat(fromMiddle.eventsReplayed()).as("events replayed from the middle")
            .isLessThan(full.eventsReplayed());
        Map<String, ByteBuffer> originalStates = countSnapshots(original);
        Map<String, ByteBuffer> seededStates = countSnapshots(seededReplay);
        assertThat(seededStates).as("snapshots the seeded replay emitted").isNotEmpty();
        assertThat(originalStates).containsAllEntriesOf(seededStates);
        System.out.printf("replay from %s: %,d of %,d events replayed, %d seeds, reset %d ms + fold %d ms; "
                + "full replay: %,d events, reset %d ms + fold %d ms%n", MIDDLE, fromMiddle.eventsReplayed(),
            fromMiddle.eventsTotal(), fromMiddle.seeds(), fromMiddle.resetTime().toMillis(),
            fromMiddle.foldTime().toMillis(), full.eventsReplayed(), full.resetTime().toMillis(),
            full.foldTime().toMillis());
    }

    @Test
    void shouldNeverSeedAFoldWithAnotherVersionsSnapshotsAndReEmitThemUnderTheNewVersion() throws Exception {
        FoldRegistry itemsV2 = new FoldRegistry(List.of(new Version2<>(new InventoryItemFold()), new WarehouseFold()));
        List<Snapshot> original = snapshots();
        Map<TopicPartition, Long> replayStart = snapshotsEnd();

        Replay.Result result = replay(ReplayOptions.from(MIDDLE, ReplayOptions.SeedSource.TOPIC), itemsV2);

        List<Snapshot> replayed = snapshotsAfter(replayStart);
        Set<String> warehouses = reference.states().keySet().stream().filter(id -> id.startsWith("warehouse"))
            .collect(Collectors.toSet());
        assertThat(result.seeds()).as("only the warehouses, whose fold version is unchanged, are seeded")
            .isEqualTo(warehouses.size());
        List<Snapshot> items = replayed.stream().filter(s -> s.getAggregateType().equals(InventoryItemFold.AGGREGATE_TYPE))
            .toList();
        assertThat(items).allSatisfy(s -> assertThat(s.getFoldVersion()).isEqualTo(2));
        assertThat(countSnapshots(items)).as("every item snapshot re-emitted under version 2, from the first event")
            .isEqualTo(countSnapshots(original.stream()
                .filter(s -> s.getAggregateType().equals(InventoryItemFold.AGGREGATE_TYPE)).toList()));
    }

    @Test
    void shouldRefuseWhileAnInstanceOfTheApplicationIsRunning() throws Exception {
        try (ProcessorApp running = ProcessorApp.start(config, registry)) {
            running.aggregates(TIMEOUT);
            Await.until("the instance joined the group", TIMEOUT, () -> running.streams().metadataForLocalThreads()
                .stream().anyMatch(t -> !t.activeTasks().isEmpty()));
            Map<TopicPartition, Long> before = snapshotsEnd();

            assertThatThrownBy(() -> replay(ReplayOptions.full(), FoldRegistry.fromClassPath()))
                .isInstanceOf(ReplayRefusedException.class)
                .hasMessageContaining("still members of its consumer group")
                .hasMessageContaining(config.applicationId());
            assertThat(snapshotsEnd()).as("nothing replayed").isEqualTo(before);
            assertThat(running.aggregates(TIMEOUT).approximateNumEntries()).as("local state kept").isPositive();
        }
    }

    @Test
    void shouldReproduceTheSnapshotsAfterKafkasOwnApplicationResetTool() throws Exception {
        List<Snapshot> original = snapshots();
        Map<TopicPartition, Long> replayStart = snapshotsEnd();

        int exit = new StreamsResetter().execute(new String[] {"--bootstrap-server", kafka.bootstrapServers(),
            "--application-id", config.applicationId(), "--input-topics", config.eventsTopic()});
        assertThat(exit).isZero();
        Map<String, Object> store;
        // the tool leaves local state alone: the instance starts on an empty state directory
        Map<String, String> emptyDisk = new HashMap<>(values);
        emptyDisk.put("kafka.state.dir", stateDir.resolve("after-reset-tool").toString());
        try (ProcessorApp app = ProcessorApp.start(new ProcessorConfig(emptyDisk), registry)) {
            awaitReferenceState(app);
            store = contents(app.aggregates(TIMEOUT));
        }

        assertThat(countSnapshots(snapshotsAfter(replayStart))).isEqualTo(countSnapshots(original));
        assertThat(store).isEqualTo(referenceStore());
    }

    // ---- helpers

    private Replay.Result replay(ReplayOptions options, FoldRegistry folds) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            return new Replay(config, registry, folds, new PrintStream(out, true, StandardCharsets.UTF_8), false)
                .run(options);
        } finally {
            System.out.print(out.toString(StandardCharsets.UTF_8));
        }
    }

    private void produce(List<SampleEvent> events) {
        EventEncoder encoder = new EventEncoder(codec, config.eventsTopic());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (SampleEvent e : events) {
                producer.send(new ProducerRecord<>(config.eventsTopic(), null, e.timestamp().toEpochMilli(),
                    e.aggregateId(), encoder.encode(e.eventId(), e.aggregateId(), e.aggregateType(), e.sequence(),
                        e.timestamp(), e.payload())));
            }
        }
    }

    private void awaitReferenceState(ProcessorApp app) throws InterruptedException {
        ReadOnlyKeyValueStore<String, AggregateRecord> store = app.aggregates(TIMEOUT);
        Await.until("every aggregate at its last event", TIMEOUT, () -> reference.versions().entrySet().stream()
            .allMatch(e -> store.get(e.getKey()) != null && store.get(e.getKey()).getVersion() == e.getValue()));
    }

    /** The store after a replay, read by an instance started on the state the replay left. */
    private Map<String, Object> storeAfterReplay() throws InterruptedException {
        try (ProcessorApp app = ProcessorApp.start(config, registry, FoldRegistry.fromClassPath(),
                ProcessorMeters.newRegistry(config.applicationId()))) {
            awaitReferenceState(app);
            return contents(app.aggregates(TIMEOUT));
        }
    }

    /** aggregateId → (version, decoded state, events since snapshot, last snapshot version). */
    private Map<String, Object> contents(ReadOnlyKeyValueStore<String, AggregateRecord> store) {
        Map<String, Object> contents = new HashMap<>();
        try (KeyValueIterator<String, AggregateRecord> all = store.all()) {
            all.forEachRemaining(kv -> contents.put(kv.key, List.of(kv.value.getVersion(),
                codec.decode(kv.value.getState().array(), codec.writerSchemaOf(kv.value.getState().array())),
                kv.value.getEventsSinceSnapshot(), kv.value.getLastSnapshotVersion())));
        }
        return contents;
    }

    private Map<String, Object> referenceStore() {
        Map<String, Object> expected = new HashMap<>();
        reference.states().forEach((id, state) -> {
            long version = reference.versions().get(id);
            expected.put(id, List.of(version, state, version % EVERY_EVENTS, version - version % EVERY_EVENTS));
        });
        return expected;
    }

    /** Every committed snapshot on the topic, in offset order per partition. */
    private List<Snapshot> snapshots() {
        return snapshotsAfter(Map.of());
    }

    /** The committed snapshots at or after {@code from} (per partition; the beginning where absent). */
    private List<Snapshot> snapshotsAfter(Map<TopicPartition, Long> from) {
        List<Snapshot> snapshots = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = snapshotConsumer()) {
            List<TopicPartition> partitions = partitionsOf(consumer);
            consumer.assign(partitions);
            partitions.forEach(p -> consumer.seek(p, from.getOrDefault(p, 0L)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    snapshots.add(codec.decode(record.value(), Snapshot.class));
                }
            }
        }
        return snapshots;
    }

    /** The end offsets of the snapshots topic: where the next replay's snapshots begin. */
    private Map<TopicPartition, Long> snapshotsEnd() {
        try (KafkaConsumer<byte[], byte[]> consumer = snapshotConsumer()) {
            return consumer.endOffsets(partitionsOf(consumer));
        }
    }

    private KafkaConsumer<byte[], byte[]> snapshotConsumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer) {
        return consumer.partitionsFor(config.snapshotsTopic()).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    /** "aggregateId@version" → stored state bytes, of the COUNT snapshots, each taken once. */
    private static Map<String, ByteBuffer> countSnapshots(List<Snapshot> snapshots) {
        Map<String, ByteBuffer> states = new HashMap<>();
        for (Snapshot s : snapshots) {
            if (s.getMetadata().getReason() == SnapshotReason.COUNT) {
                assertThat(states.put(s.getAggregateId() + "@" + s.getVersion(), s.getState()))
                    .as("%s@%d taken once", s.getAggregateId(), s.getVersion()).isNull();
            }
        }
        return states;
    }

    /** aggregateId → (version, state bytes) of the last snapshot on the topic: what compaction keeps. */
    private static Map<String, List<Object>> latestPerAggregate(List<Snapshot> snapshots) {
        Map<String, List<Object>> latest = new HashMap<>();
        snapshots.forEach(s -> latest.put(s.getAggregateId(), List.of(s.getVersion(), s.getState())));
        return latest;
    }

    /** The same fold, declaring version 2: what a user's fixed fold looks like to the processor. */
    private record Version2<S extends SpecificRecord>(AggregateFold<S> fold) implements AggregateFold<S> {
        @Override
        public String aggregateType() {
            return fold.aggregateType();
        }

        @Override
        public Class<S> stateType() {
            return fold.stateType();
        }

        @Override
        public Set<Class<? extends SpecificRecord>> eventTypes() {
            return fold.eventTypes();
        }

        @Override
        public S apply(S state, DomainEvent event) {
            return fold.apply(state, event);
        }

        @Override
        public int version() {
            return 2;
        }
    }
}
