package io.snapshotter.benchmarks.jmh;

import io.snapshotter.fold.DomainEvent;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.SnapshotProgress;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.registry.SubjectNameStrategy;
import io.snapshotter.snapshot.SnapshotFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The fold processor's per-event work without Kafka, one op = one event: the record key and the
 * envelope decoded, the aggregate's {@link AggregateRecord} read from a map of serialized values (the
 * store's bytes, standing in for the record cache and RocksDB) and deserialized, the payload and the
 * state decoded, the fold applied, the state encoded, the record rebuilt and serialized back, and at
 * every 100th event (the default count policy) a snapshot made and serialized for the snapshot topic.
 * What is left out is what Kafka Streams adds: the record cache, RocksDB, the changelog and the sinks
 * (the punctuation and memory benchmarks run them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PerEventPathBenchmark {

    private static final int ITEMS = 2_000;
    private static final int EVENTS = 1 << 18;

    private AvroWireCodec codec;
    private FoldRegistry folds;
    private SnapshotFactory snapshots;
    private String snapshotsTopic;
    private Serializer<AggregateRecord> recordSerializer;
    private Deserializer<AggregateRecord> recordDeserializer;
    private Serializer<Snapshot> snapshotSerializer;
    private Map<String, SnapshotPolicy> policies;
    private byte[][] keys;
    private byte[][] values;
    private final Map<String, byte[]> store = new HashMap<>();
    private int next;

    @Setup
    public void setUp() {
        Workload workload = new Workload(ITEMS, EVENTS);
        codec = workload.codec;
        folds = workload.folds;
        snapshots = new SnapshotFactory(Workload.APPLICATION_ID, workload.config.topology().compressSnapshots(),
            workload.config.getInt("snapshot.compression.min.bytes"));
        snapshotsTopic = workload.config.snapshotsTopic();
        SpecificAvroSerde<AggregateRecord> recordSerde = new SpecificAvroSerde<>(codec, AggregateRecord.class,
            SubjectNameStrategy.RECORD_NAME, false, true);
        recordSerializer = recordSerde.serializer();
        recordDeserializer = recordSerde.deserializer();
        snapshotSerializer = new SpecificAvroSerde<>(codec, Snapshot.class, SubjectNameStrategy.TOPIC_NAME, false, true)
            .serializer();
        policies = Map.of("InventoryItem", workload.config.topology().policyFor("InventoryItem"));
        values = workload.encodedEnvelopes();
        keys = new byte[EVENTS][];
        for (int i = 0; i < EVENTS; i++) {
            keys[i] = workload.events[i].aggregateId().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Each iteration replays the stream from the start over an empty store. */
    @Setup(Level.Iteration)
    public void emptyStore() {
        store.clear();
        next = 0;
    }

    @Benchmark
    public Object perEvent() {
        if (next == EVENTS) {
            emptyStore(); // replayed from the start: the sequences begin at 1 again
        }
        int i = next++;
        return fold(keys[i], values[i]);
    }

    private Object fold(byte[] key, byte[] value) {
        String aggregateId = new String(key, StandardCharsets.UTF_8);
        EventEnvelope event = codec.decode(value, EventEnvelope.class);
        if (!event.getAggregateId().equals(aggregateId) || event.getSequence() < 1) {
            throw new IllegalStateException("bad event");
        }
        RegisteredFold fold = folds.forType(event.getAggregateType());
        byte[] stored = store.get(aggregateId);
        AggregateRecord current = stored == null ? null : recordDeserializer.deserialize("aggregates", stored);
        byte[] payloadBytes = event.getPayload().array();
        SpecificRecord payload = (SpecificRecord) codec.decode(payloadBytes,
            fold.readerSchemaFor(codec.writerSchemaOf(payloadBytes)));
        long version = current == null ? 0 : current.getVersion();
        if (event.getSequence() != version + 1) {
            throw new IllegalStateException("sequence " + event.getSequence() + " after " + version);
        }
        long now = event.getTimestamp().toEpochMilli();
        SpecificRecord state = current == null ? null : codec.decode(current.getState().array(), fold.fold().stateType());
        SpecificRecord nextState = fold.fold().apply(state, new DomainEvent(event.getEventId(), aggregateId,
            event.getSequence(), event.getTimestamp(), payload));
        long pendingBefore = current == null ? 0 : current.getEventsSinceSnapshot();
        AggregateRecord.Builder updated = current == null
            ? AggregateRecord.newBuilder().setAggregateType(event.getAggregateType()).setLastSnapshotVersion(0)
                .setLastSnapshotTime(now).setSnapshotDueTime(SnapshotPolicy.NEVER)
            : AggregateRecord.newBuilder(current);
        updated.setVersion(event.getSequence())
            .setLastEventId(event.getEventId())
            .setLastEventTimestamp(now)
            .setEventsSinceSnapshot(pendingBefore + 1)
            .setFoldVersion(fold.fold().version())
            .setState(ByteBuffer.wrap(codec.encode(nextState.getSchema().getFullName(), nextState, true)));
        AggregateRecord record = updated.build();
        SnapshotPolicy policy = policies.get(event.getAggregateType());
        SnapshotProgress progress = new SnapshotProgress(record.getAggregateType(), record.getVersion(),
            record.getEventsSinceSnapshot(), record.getLastSnapshotVersion(), record.getLastSnapshotTime());
        byte[] snapshot = null;
        if (policy.isDueAfterEvent(progress)) {
            snapshot = snapshotSerializer.serialize(snapshotsTopic,
                snapshots.snapshotOf(aggregateId, aggregateId, record, now, SnapshotReason.COUNT));
            record = AggregateRecord.newBuilder(record).setEventsSinceSnapshot(0)
                .setLastSnapshotVersion(record.getVersion()).setLastSnapshotTime(now)
                .setSnapshotDueTime(SnapshotPolicy.NEVER).build();
        } else if (pendingBefore == 0) {
            record.setSnapshotDueTime(Math.max(policy.timeDue(progress), now));
        }
        store.put(aggregateId, recordSerializer.serialize("aggregates", record));
        return snapshot;
    }
}
