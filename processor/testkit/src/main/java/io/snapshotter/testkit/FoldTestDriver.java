package io.snapshotter.testkit;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.topology.SnapshotTopology;
import io.snapshotter.topology.TopologyConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Tests a fold on the processor's real topology without any Kafka code: events in, state,
 * snapshots and dead letters out.
 *
 * <pre>{@code
 * try (FoldTestDriver driver = FoldTestDriver.builder()
 *         .fold(new CounterFold())
 *         .setting("snapshot.policy", "count")
 *         .setting("snapshot.every.events", 2)
 *         .build()) {
 *     driver.send("counter-1", new CounterIncremented(5));   // sequence 1
 *     driver.send("counter-1", new CounterIncremented(7));   // sequence 2: a COUNT snapshot
 *     CounterState state = driver.state("counter-1", CounterState.class);   // total 12
 *     long version = driver.version("counter-1");                          // 2
 *     List<FoldTestDriver.EmittedSnapshot> snapshots = driver.snapshots(); // one, at version 2
 * }
 * }</pre>
 *
 * <p><b>What runs.</b> {@link SnapshotTopology#buildTopology} with the given folds (not those on the
 * class path), under a Kafka Streams {@link TopologyTestDriver}: the same fold processor, RocksDB
 * stores (in a temporary directory, deleted on {@link #close()}), snapshot policies, sequence checks
 * and dead-lettering as in production, with exactly-once processing. Schemas go to an in-memory
 * registry. Everything happens synchronously in the calling thread: when {@code send} returns, the
 * event is folded (or dead-lettered) and any snapshot it caused has been emitted.
 *
 * <p><b>Events.</b> {@link #send(String, SpecificRecord)} writes the event as a producer would (an
 * {@code EventEnvelope} in the Confluent wire format, keyed by aggregate id) and fills the envelope in:
 * the sequence is the aggregate's {@link #version} + 1, the timestamp is the driver's clock
 * ({@link #now()}), the event id is {@code <aggregateId>#<sequence>} and the aggregate type is that of
 * the fold whose {@link AggregateFold#eventTypes()} contain the payload's class (with a single fold,
 * that fold's, whatever the payload). {@link #send(String, long, Instant, SpecificRecord)} takes the
 * sequence and timestamp, for duplicates (a sequence at or below the version is skipped silently),
 * gaps (beyond version + 1: dead-lettered as {@code SEQUENCE_GAP} unless
 * {@code sequence.gap.policy=fold}) and out-of-order time.
 *
 * <p><b>Time.</b> The clock starts at {@link #START} (or {@link Builder#startingAt}) and moves only
 * with {@link #advanceTime}, which also moves Kafka Streams' wall clock, so wall-clock time snapshots
 * ({@code snapshot.policy=time} or {@code hybrid}) fall due during the call.
 *
 * <p><b>Settings.</b> The processor's topology keys, as in {@code application.properties}:
 * {@code snapshot.policy}, {@code snapshot.every.events}, {@code snapshot.every.ms},
 * {@code snapshot.clock}, {@code sequence.gap.policy}, {@code snapshot.compression},
 * {@code aggregate.<type>.snapshot.*}, {@code snapshot.policy.config.*} ... (see {@link TopologyConfig});
 * any other key is refused, since it would have no effect here. Unset keys take the processor's
 * defaults (hybrid policy, every 100 events or one hour).
 *
 * <p><b>Fold class loaders.</b> While the driver works, the thread's context class loader is that of
 * the first fold's class, so Avro finds the fold's generated classes even when they were loaded by a
 * class loader of their own (a plugin jar). Not thread-safe; one driver per test.
 */
public final class FoldTestDriver implements AutoCloseable {

    /** Where the driver's clock starts unless {@link Builder#startingAt} says otherwise. */
    public static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

    private static final String APPLICATION_ID = "fold-test-driver";

    /**
     * A snapshot the topology emitted, decoded.
     *
     * @param aggregateId   the aggregate
     * @param aggregateType its type, as in the events' envelopes
     * @param version       the events folded into the state, which is also the last one's sequence
     * @param reason        what triggered it: COUNT, TIME or MANUAL
     * @param snapshotTime  the clock time it was taken at
     * @param foldVersion   the {@link AggregateFold#version()} that produced the state
     * @param state         the state, checksum verified, decompressed and decoded as the fold's state type
     */
    public record EmittedSnapshot(String aggregateId, String aggregateType, long version, SnapshotReason reason,
                                  Instant snapshotTime, int foldVersion, SpecificRecord state) {

        /** The state as {@code type}, the fold's {@link AggregateFold#stateType()}. */
        public <S extends SpecificRecord> S state(Class<S> type) {
            return type.cast(state);
        }
    }

    /**
     * A record the topology sent to the dead-letter topic.
     *
     * @param key    the record key (the aggregate id), or null if the record had none
     * @param reason why: the {@code dlq.reason} header
     * @param error  the message ({@code dlq.error}): for {@code FOLD_FAILED} the fold's exception message
     */
    public record DeadLetter(String key, DeadLetterReason reason, String error) {
    }

    private final Map<String, RegisteredFold> foldsByType = new HashMap<>();
    private final ClassLoader foldLoader;
    private final AvroWireCodec codec;
    private final EventEncoder encoder;
    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> events;
    private final TestOutputTopic<String, byte[]> snapshotTopic;
    private final TestOutputTopic<byte[], byte[]> deadLetterTopic;
    private final List<EmittedSnapshot> snapshots = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private Instant now;

    private FoldTestDriver(List<AggregateFold<?>> folds, Map<String, Object> settings, Instant start) {
        if (folds.isEmpty()) {
            throw new IllegalArgumentException("FoldTestDriver needs at least one fold");
        }
        FoldRegistry registry = new FoldRegistry(folds);
        registry.all().forEach(f -> foldsByType.put(f.fold().aggregateType(), f));
        foldLoader = folds.get(0).getClass().getClassLoader();
        now = start;
        TopologyConfig config = new TopologyConfig(settings, APPLICATION_ID);
        InMemorySchemaRegistry schemas = new InMemorySchemaRegistry();
        codec = new AvroWireCodec(schemas);
        encoder = new EventEncoder(codec, config.eventsTopic());
        try {
            stateDir = Files.createTempDirectory("fold-test-driver-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = withFoldLoader(() -> new TopologyTestDriver(
            SnapshotTopology.buildTopology(config, schemas, registry, new SimpleMeterRegistry()), props, start));
        events = driver.createInputTopic(config.eventsTopic(), new StringSerializer(), new ByteArraySerializer());
        snapshotTopic = driver.createOutputTopic(config.snapshotsTopic(), new StringDeserializer(),
            new ByteArrayDeserializer());
        deadLetterTopic = driver.createOutputTopic(config.deadLetterTopic(), new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    }

    /** A driver for {@code folds} with the processor's default settings. */
    public static FoldTestDriver forFolds(AggregateFold<?>... folds) {
        Builder builder = builder();
        for (AggregateFold<?> fold : folds) {
            builder.fold(fold);
        }
        return builder.build();
    }

    /** A builder, for settings or a start time of its own. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects the folds, settings and start time of a {@link FoldTestDriver}. */
    public static final class Builder {

        private final List<AggregateFold<?>> folds = new ArrayList<>();
        private final Map<String, Object> settings = new HashMap<>();
        private Instant start = START;

        private Builder() {
        }

        /** Adds a fold; each must have an aggregate type of its own. */
        public Builder fold(AggregateFold<?> fold) {
            folds.add(Objects.requireNonNull(fold, "fold"));
            return this;
        }

        /**
         * Sets a topology key ({@code snapshot.every.events}, {@code aggregate.Counter.snapshot.policy} ...)
         * to a value as it would be written in the properties file, or a typed one (an int, a long).
         *
         * @throws IllegalArgumentException if the key is not one of the topology's
         */
        public Builder setting(String key, Object value) {
            if (!TopologyConfig.owns(key)) {
                throw new IllegalArgumentException("'" + key + "' is not a topology setting; known keys: "
                    + new TreeSet<>(TopologyConfig.CONFIG_DEF.names()) + ", " + TopologyConfig.AGGREGATE_PREFIX
                    + "<type>.snapshot.* and " + TopologyConfig.POLICY_SETTINGS_PREFIX + "*");
            }
            settings.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Starts the driver's clock at {@code start} instead of {@link FoldTestDriver#START}. */
        public Builder startingAt(Instant start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /**
         * Builds the topology and starts the driver.
         *
         * @throws org.apache.kafka.common.config.ConfigException if a setting is invalid
         * @throws IllegalStateException if two folds share an aggregate type
         */
        public FoldTestDriver build() {
            return new FoldTestDriver(List.copyOf(folds), Map.copyOf(settings), start);
        }
    }

    // ---- input ----

    /**
     * Sends the aggregate's next event: sequence {@link #version} + 1, timestamp {@link #now()}.
     *
     * @return the event as the fold sees it
     */
    public DomainEvent send(String aggregateId, SpecificRecord payload) {
        return send(aggregateId, version(aggregateId) + 1, now, payload);
    }

    /**
     * Sends an event with the given sequence and timestamp (also the record's timestamp, so the event
     * moves stream time).
     *
     * @return the event as the fold sees it
     */
    public DomainEvent send(String aggregateId, long sequence, Instant timestamp, SpecificRecord payload) {
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(payload, "payload");
        String aggregateType = aggregateTypeOf(payload);
        String eventId = aggregateId + "#" + sequence;
        return withFoldLoader(() -> {
            EventEnvelope envelope = encoder.envelope(eventId, aggregateId, aggregateType, sequence, timestamp, payload);
            events.pipeInput(aggregateId, encoder.encode(envelope), timestamp);
            return new DomainEvent(eventId, aggregateId, sequence, timestamp, payload);
        });
    }

    private String aggregateTypeOf(SpecificRecord payload) {
        List<String> types = foldsByType.values().stream()
            .filter(f -> f.fold().eventTypes().contains(payload.getClass()))
            .map(f -> f.fold().aggregateType())
            .toList();
        if (types.size() == 1) {
            return types.get(0);
        }
        if (types.isEmpty() && foldsByType.size() == 1) {
            return foldsByType.keySet().iterator().next();
        }
        throw new IllegalArgumentException("cannot tell the aggregate type of a " + payload.getClass().getName()
            + ": " + (types.isEmpty() ? "no fold accepts it" : "the folds of " + types + " all accept it"));
    }

    // ---- time ----

    /** The driver's clock: the timestamp of events sent without one, and Kafka Streams' wall clock. */
    public Instant now() {
        return now;
    }

    /** Moves the clock on, running the punctuation that takes wall-clock time snapshots falling due. */
    public void advanceTime(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, not by " + duration);
        }
        now = now.plus(duration);
        withFoldLoader(() -> {
            driver.advanceWallClockTime(duration);
            return null;
        });
    }

    // ---- state ----

    /**
     * The aggregate's current state as {@code type} (the fold's state type), or null before its first
     * event is folded.
     */
    public <S extends SpecificRecord> S state(String aggregateId, Class<S> type) {
        AggregateRecord record = aggregate(aggregateId);
        return record == null || !record.getState().hasRemaining() ? null
            : withFoldLoader(() -> codec.decode(bytes(record.getState()), type));
    }

    /**
     * Where the aggregate is parked, if it is: its next event was rejected, so later ones are
     * dead-lettered as {@code AGGREGATE_PARKED} until an event with that sequence folds.
     */
    public Optional<ParkedAt> parked(String aggregateId) {
        AggregateRecord record = aggregate(aggregateId);
        return record == null || record.getParked() == null ? Optional.empty()
            : Optional.of(new ParkedAt(record.getParked().getSequence(),
                DeadLetterReason.valueOf(record.getParked().getReason()), record.getParked().getError()));
    }

    /**
     * Where an aggregate is parked.
     *
     * @param sequence the rejected sequence the aggregate waits for
     * @param reason   why that event was rejected
     * @param error    the rejection's message
     */
    public record ParkedAt(long sequence, DeadLetterReason reason, String error) {
    }

    /** The events folded into the aggregate (the sequence of the last one), 0 before its first event. */
    public long version(String aggregateId) {
        AggregateRecord record = aggregate(aggregateId);
        return record == null ? 0 : record.getVersion();
    }

    private AggregateRecord aggregate(String aggregateId) {
        return withFoldLoader(() -> {
            KeyValueStore<String, AggregateRecord> store = driver.getKeyValueStore(SnapshotTopology.AGGREGATES_STORE);
            return store.get(aggregateId);
        });
    }

    // ---- output ----

    /** Every snapshot emitted since the driver started, oldest first. */
    public List<EmittedSnapshot> snapshots() {
        withFoldLoader(() -> {
            for (TestRecord<String, byte[]> record : snapshotTopic.readRecordsToList()) {
                snapshots.add(decode(codec.decode(record.value(), Snapshot.class)));
            }
            return null;
        });
        return List.copyOf(snapshots);
    }

    private EmittedSnapshot decode(Snapshot snapshot) {
        RegisteredFold fold = foldsByType.get(snapshot.getAggregateType());
        SpecificRecord state = codec.decode(SnapshotFactory.verifiedState(snapshot), fold.fold().stateType());
        return new EmittedSnapshot(snapshot.getAggregateId(), snapshot.getAggregateType(), snapshot.getVersion(),
            snapshot.getMetadata().getReason(), snapshot.getSnapshotTimestamp(), snapshot.getFoldVersion(), state);
    }

    /** Every record dead-lettered since the driver started, oldest first. */
    public List<DeadLetter> deadLetters() {
        for (TestRecord<byte[], byte[]> record : deadLetterTopic.readRecordsToList()) {
            deadLetters.add(new DeadLetter(
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                DeadLetterReason.valueOf(DeadLetters.header(record.headers(), DeadLetters.REASON)),
                DeadLetters.header(record.headers(), DeadLetters.ERROR)));
        }
        return List.copyOf(deadLetters);
    }

    /** Closes the topology and deletes its state directory. */
    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            try (Stream<Path> paths = Files.walk(stateDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private <T> T withFoldLoader(Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(foldLoader);
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
