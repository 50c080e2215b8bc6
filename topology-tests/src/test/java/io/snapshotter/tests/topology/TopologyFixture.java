package io.snapshotter.tests.topology;

import io.snapshotter.topology.FoldListener;
import io.snapshotter.topology.FoldMetrics;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.topology.SnapshotRequest;
import io.snapshotter.topology.SnapshotTopology;
import io.snapshotter.topology.TopologyConfig;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.WarehouseFold;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.WarehouseCapacityChanged;
import io.snapshotter.domain.inventory.events.WarehouseOpened;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.registry.SubjectNameStrategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The snapshot topology, exactly as {@code main} builds it, under a {@link TopologyTestDriver}
 * whose wall clock starts at {@link #START} and only moves when a test moves it.
 *
 * <p>Events go in as the producers of the events topic write them: an {@link EventEnvelope}
 * encoded under {@code <events topic>-value}, its payload under the payload's record full name.
 * Snapshot requests go in as the HTTP admin endpoint writes them. The topology's histograms go to
 * {@link #meters}. Tests get fixtures from a {@link Factory}, which closes them after each test.
 */
final class TopologyFixture implements AutoCloseable {

    static final Instant START = Instant.parse("2024-05-01T08:00:00Z");
    static final long T0 = START.toEpochMilli();
    static final String APPLICATION_ID = "test-app";

    static final String ITEM = InventoryItemFold.AGGREGATE_TYPE;
    static final String WAREHOUSE = WarehouseFold.AGGREGATE_TYPE;

    final ProcessorConfig config;
    final AvroWireCodec codec;
    final TopologyTestDriver driver;
    final MeterRegistry meters = new SimpleMeterRegistry();

    private final Path stateDir;
    private final TestInputTopic<String, byte[]> events;
    private final TestInputTopic<byte[], byte[]> rawEvents;
    private final TestInputTopic<byte[], byte[]> snapshotRequests;
    private final TestOutputTopic<String, byte[]> snapshots;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private final Deserializer<Snapshot> snapshotDeserializer;
    private final EventEncoder encoder;
    private long nextOffset;

    private TopologyFixture(Map<String, ?> overrides, Instant wallClock,
                            UnaryOperator<SchemaRegistryClient> topologyRegistry, FoldListener listener) {
        config = config(overrides);
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        codec = new AvroWireCodec(registry);
        encoder = new EventEncoder(codec, config.eventsTopic());
        try {
            stateDir = Files.createTempDirectory("topology-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = config.streamsProperties();
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(SnapshotTopology.buildTopology(config.topology(), topologyRegistry.apply(registry),
            FoldRegistry.fromClassPath(), meters, listener), props, wallClock);
        events = driver.createInputTopic(config.eventsTopic(), new StringSerializer(), new ByteArraySerializer());
        rawEvents = driver.createInputTopic(config.eventsTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        snapshotRequests = driver.createInputTopic(config.getString(TopologyConfig.SNAPSHOT_REQUESTS_TOPIC),
            new ByteArraySerializer(), new ByteArraySerializer());
        snapshots = driver.createOutputTopic(config.snapshotsTopic(), new StringDeserializer(),
            new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic(), new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
        snapshotDeserializer = new SpecificAvroSerde<>(codec, Snapshot.class, SubjectNameStrategy.TOPIC_NAME, false, true)
            .deserializer();
    }

    /** The processor's configuration: {@code overrides} over a dummy broker and application id {@value APPLICATION_ID}. */
    static ProcessorConfig config(Map<String, ?> overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", "dummy:9092");
        values.put("kafka.application.id", APPLICATION_ID);
        values.putAll(overrides);
        return new ProcessorConfig(values);
    }

    // ---- input ----

    /** Sends one event, with the record timestamp equal to the event's, and returns it as a fold sees it. */
    DomainEvent send(String aggregateType, String aggregateId, long sequence, long timestampMillis,
                     SpecificRecord payload) {
        EventEnvelope envelope = envelope(aggregateType, aggregateId, sequence, timestampMillis, payload);
        sendEnvelope(envelope);
        return domainEvent(envelope, payload);
    }

    /** Sends a prepared envelope, keyed by its aggregateId. */
    void sendEnvelope(EventEnvelope envelope) {
        events.pipeInput(envelope.getAggregateId(), encode(envelope), envelope.getTimestamp());
        nextOffset++;
    }

    /** Sends valid events {@code from..to} (see {@link #validEvent}) of one aggregate, all at {@code timestampMillis}. */
    List<DomainEvent> sendEvents(String aggregateType, String aggregateId, long from, long to, long timestampMillis) {
        List<DomainEvent> sent = new ArrayList<>();
        for (long sequence = from; sequence <= to; sequence++) {
            sent.add(send(aggregateType, aggregateId, sequence, timestampMillis, validEvent(aggregateType, sequence)));
        }
        return sent;
    }

    /** Sends the next valid event of an aggregate, after the version the store holds. */
    DomainEvent sendNext(String aggregateType, String aggregateId, long timestampMillis) {
        AggregateRecord current = aggregate(aggregateId);
        long sequence = current == null ? 1 : current.getVersion() + 1;
        return send(aggregateType, aggregateId, sequence, timestampMillis, validEvent(aggregateType, sequence));
    }

    /** Sends a record exactly as given and returns the offset it was given. */
    long sendRaw(byte[] key, byte[] value, Headers headers) {
        rawEvents.pipeInput(new TestRecord<>(key, value, headers, START));
        return nextOffset++;
    }

    long sendRaw(byte[] key, byte[] value) {
        return sendRaw(key, value, new RecordHeaders());
    }

    /** Asks for a MANUAL snapshot of {@code aggregateId}, as the admin endpoint does, and returns the request. */
    SnapshotRequest requestSnapshot(String aggregateId, String requestedBy) {
        SnapshotRequest request = new SnapshotRequest(aggregateId + "-request-" + System.nanoTime(), requestedBy,
            "test", T0);
        sendRawSnapshotRequest(aggregateId.getBytes(StandardCharsets.UTF_8), request.toBytes());
        return request;
    }

    /** Sends a record to the snapshot requests topic exactly as given. */
    void sendRawSnapshotRequest(byte[] key, byte[] value) {
        sendRawSnapshotRequest(key, value, START);
    }

    /** Sends a record to the snapshot requests topic with the record timestamp {@code timestamp}. */
    void sendRawSnapshotRequest(byte[] key, byte[] value, Instant timestamp) {
        snapshotRequests.pipeInput(new TestRecord<>(key, value, new RecordHeaders(), timestamp));
    }

    EventEnvelope envelope(String aggregateType, String aggregateId, long sequence, long timestampMillis,
                           SpecificRecord payload) {
        return encoder.envelope(eventId(aggregateId, sequence), aggregateId, aggregateType, sequence,
            Instant.ofEpochMilli(timestampMillis), payload);
    }

    byte[] encode(EventEnvelope envelope) {
        return encoder.encode(envelope);
    }

    byte[] encodePayload(SpecificRecord payload) {
        return codec.encode(payload.getSchema().getFullName(), payload, true);
    }

    static String eventId(String aggregateId, long sequence) {
        return aggregateId + "#" + sequence;
    }

    /**
     * A valid event at {@code sequence} of a shipped aggregate type: the creating event first, then
     * one that always applies (stock received, capacity changed).
     */
    static SpecificRecord validEvent(String aggregateType, long sequence) {
        return switch (aggregateType) {
            case ITEM -> sequence == 1 ? new ItemRegistered("SKU-" + sequence, "Widget", "wh-1")
                : new StockReceived((int) sequence, "PO-" + sequence);
            case WAREHOUSE -> sequence == 1 ? new WarehouseOpened("Main", "Berlin", 100)
                : new WarehouseCapacityChanged(100 + (int) sequence);
            default -> throw new IllegalArgumentException("no valid events for " + aggregateType);
        };
    }

    static DomainEvent domainEvent(EventEnvelope envelope, SpecificRecord payload) {
        return new DomainEvent(envelope.getEventId(), envelope.getAggregateId(), envelope.getSequence(),
            envelope.getTimestamp(), payload);
    }

    /** The state the fold itself gives for {@code events}, applied in order from nothing. */
    static <S extends SpecificRecord> S referenceFold(AggregateFold<S> fold, List<DomainEvent> events) {
        S state = null;
        for (DomainEvent event : events) {
            state = fold.apply(state, event);
        }
        return state;
    }

    // ---- time ----

    void advanceWallClock(Duration duration) {
        driver.advanceWallClockTime(duration);
    }

    void advanceWallClock(long millis) {
        advanceWallClock(Duration.ofMillis(millis));
    }

    // ---- output ----

    List<TestRecord<String, byte[]>> readSnapshotRecords() {
        return snapshots.readRecordsToList();
    }

    List<Snapshot> readSnapshots() {
        return readSnapshotRecords().stream().map(r -> decodeSnapshot(r.value())).toList();
    }

    Snapshot decodeSnapshot(byte[] value) {
        return snapshotDeserializer.deserialize(config.snapshotsTopic(), value);
    }

    List<TestRecord<byte[], byte[]>> readDeadLetters() {
        return deadLetters.readRecordsToList();
    }

    static String header(TestRecord<?, ?> record, String key) {
        return DeadLetters.header(record.headers(), key);
    }

    /** A snapshot's state record: checksum verified, decompressed, decoded. */
    <S extends SpecificRecord> S stateOf(Snapshot snapshot, Class<S> type) {
        return codec.decode(SnapshotFactory.verifiedState(snapshot), type);
    }

    <S extends SpecificRecord> S stateOf(AggregateRecord record, Class<S> type) {
        return codec.decode(bytes(record.getState()), type);
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    // ---- stores ----

    KeyValueStore<String, AggregateRecord> aggregates() {
        return driver.getKeyValueStore(SnapshotTopology.AGGREGATES_STORE);
    }

    AggregateRecord aggregate(String aggregateId) {
        return aggregates().get(aggregateId);
    }

    List<KeyValue<String, AggregateRecord>> allAggregates() {
        try (KeyValueIterator<String, AggregateRecord> it = aggregates().all()) {
            List<KeyValue<String, AggregateRecord>> all = new ArrayList<>();
            it.forEachRemaining(all::add);
            return all;
        }
    }

    KeyValueStore<Bytes, byte[]> schedule() {
        return driver.getKeyValueStore(SnapshotTopology.SCHEDULE_STORE);
    }

    /** Every key of the schedule store, in store order. */
    List<Bytes> scheduleKeys() {
        try (KeyValueIterator<Bytes, byte[]> it = schedule().all()) {
            List<Bytes> keys = new ArrayList<>();
            it.forEachRemaining(kv -> keys.add(kv.key));
            return keys;
        }
    }

    // ---- metrics ----

    /** A count of the fold processor ({@link FoldMetrics#EVENTS_FOLDED}, ...), summed over the series with these tags. */
    double count(String name, String... tags) {
        return meters.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** {@link FoldMetrics#DEAD_LETTERS} of {@code reason}. */
    double deadLetterMetric(DeadLetterReason reason) {
        return count(FoldMetrics.DEAD_LETTERS, "reason", reason.name());
    }

    @Override
    public void close() {
        driver.close();
        try (Stream<Path> paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts fixtures for a test and closes them after it: {@code @RegisterExtension final Factory fixtures = new Factory();}. */
    static final class Factory implements AfterEachCallback {

        private final List<TopologyFixture> started = new ArrayList<>();

        TopologyFixture start(Map<String, ?> overrides) {
            return start(overrides, START);
        }

        TopologyFixture start(Map<String, ?> overrides, Instant wallClock) {
            return start(overrides, wallClock, UnaryOperator.identity());
        }

        /** A fixture whose topology reaches the registry the tests encode with through {@code topologyRegistry}. */
        TopologyFixture start(Map<String, ?> overrides, Instant wallClock,
                              UnaryOperator<SchemaRegistryClient> topologyRegistry) {
            return start(overrides, wallClock, topologyRegistry, FoldListener.NONE);
        }

        /** A fixture whose topology tells {@code listener} what it folds, snapshots and dead-letters. */
        TopologyFixture start(Map<String, ?> overrides, FoldListener listener) {
            return start(overrides, START, UnaryOperator.identity(), listener);
        }

        private TopologyFixture start(Map<String, ?> overrides, Instant wallClock,
                                      UnaryOperator<SchemaRegistryClient> topologyRegistry, FoldListener listener) {
            TopologyFixture fixture = new TopologyFixture(overrides, wallClock, topologyRegistry, listener);
            started.add(fixture);
            return fixture;
        }

        @Override
        public void afterEach(ExtensionContext context) {
            started.forEach(TopologyFixture::close);
            started.clear();
        }
    }
}
