package io.snapshotter.benchmarks.jmh;

import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.registry.SubjectNameStrategy;
import io.snapshotter.snapshot.SnapshotFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The encodings on the per-event path, one op = one record, over the sample inventory stream: the
 * event envelope and its payload (Confluent wire format through {@link AvroWireCodec}, the payload's
 * writer schema resolved against the fold's reader schema), the aggregate state, the
 * {@link AggregateRecord} store value through its serde, and a {@link Snapshot} made by
 * {@link SnapshotFactory} (states under 4 KiB stay uncompressed, as configured by default) and
 * serialized for the snapshot topic.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SerdeBenchmark {

    private static final int EVENTS = 1 << 14;
    private static final int STATES = 1 << 10;

    private AvroWireCodec codec;
    private RegisteredFold fold;
    private byte[][] envelopes;
    private byte[][] payloads;
    private InventoryItemState[] states;
    private byte[][] stateBytes;
    private AggregateRecord[] records;
    private byte[][] recordBytes;
    private Serializer<AggregateRecord> recordSerializer;
    private Deserializer<AggregateRecord> recordDeserializer;
    private Serializer<Snapshot> snapshotSerializer;
    private SnapshotFactory snapshots;
    private String snapshotsTopic;
    private int next;

    @Setup
    public void setUp() {
        Workload workload = new Workload(STATES, EVENTS);
        codec = workload.codec;
        fold = workload.folds.forType("InventoryItem");
        envelopes = workload.encodedEnvelopes();
        payloads = new byte[EVENTS][];
        for (int i = 0; i < EVENTS; i++) {
            payloads[i] = codec.decode(envelopes[i], EventEnvelope.class).getPayload().array();
        }
        List<InventoryItemState> finals = new ArrayList<>(workload.finalStates().values());
        states = finals.toArray(InventoryItemState[]::new);
        stateBytes = new byte[states.length][];
        records = new AggregateRecord[states.length];
        recordBytes = new byte[states.length][];
        SpecificAvroSerde<AggregateRecord> recordSerde = new SpecificAvroSerde<>(codec, AggregateRecord.class,
            SubjectNameStrategy.RECORD_NAME, false, true);
        recordSerializer = recordSerde.serializer();
        recordDeserializer = recordSerde.deserializer();
        for (int i = 0; i < states.length; i++) {
            stateBytes[i] = encode(states[i]);
            records[i] = AggregateRecord.newBuilder().setAggregateType("InventoryItem").setVersion(100 + i)
                .setLastEventId("3f1c1e4e-0c34-3b58-9d7c-" + String.format("%012d", i))
                .setLastEventTimestamp(Workload.START.toEpochMilli() + i).setEventsSinceSnapshot(17)
                .setLastSnapshotVersion(83 + i).setLastSnapshotTime(Workload.START.toEpochMilli())
                .setSnapshotDueTime(SnapshotPolicy.NEVER).setFoldVersion(1)
                .setState(ByteBuffer.wrap(stateBytes[i])).build();
            recordBytes[i] = recordSerializer.serialize("aggregates", records[i]);
        }
        snapshotSerializer = new SpecificAvroSerde<>(codec, Snapshot.class, SubjectNameStrategy.TOPIC_NAME, false, true)
            .serializer();
        snapshots = new SnapshotFactory(Workload.APPLICATION_ID, workload.config.topology().compressSnapshots(),
            workload.config.getInt("snapshot.compression.min.bytes"));
        snapshotsTopic = workload.config.snapshotsTopic();
    }

    private byte[] encode(InventoryItemState state) {
        return codec.encode(state.getSchema().getFullName(), state, true);
    }

    @Benchmark
    public EventEnvelope envelopeDecode() {
        return codec.decode(envelopes[next++ & (EVENTS - 1)], EventEnvelope.class);
    }

    /** As the fold processor does: the writer schema by id, the fold's reader schema for it, then the decode. */
    @Benchmark
    public Object payloadDecode() {
        byte[] payload = payloads[next++ & (EVENTS - 1)];
        Schema reader = fold.readerSchemaFor(codec.writerSchemaOf(payload));
        return codec.decode(payload, reader);
    }

    @Benchmark
    public byte[] stateEncode() {
        return encode(states[next++ & (STATES - 1)]);
    }

    @Benchmark
    public InventoryItemState stateDecode() {
        return codec.decode(stateBytes[next++ & (STATES - 1)], InventoryItemState.class);
    }

    @Benchmark
    public byte[] aggregateRecordSerialize() {
        return recordSerializer.serialize("aggregates", records[next++ & (STATES - 1)]);
    }

    @Benchmark
    public AggregateRecord aggregateRecordDeserialize() {
        return recordDeserializer.deserialize("aggregates", recordBytes[next++ & (STATES - 1)]);
    }

    @Benchmark
    public Snapshot snapshotCreate() {
        AggregateRecord record = records[next++ & (STATES - 1)];
        return snapshots.snapshotOf("item-00001", "item-00001", record, Workload.START.toEpochMilli(),
            SnapshotReason.COUNT);
    }

    /** A snapshot made and serialized for the snapshot topic, as the sink does. */
    @Benchmark
    public byte[] snapshotCreateAndSerialize() {
        AggregateRecord record = records[next++ & (STATES - 1)];
        return snapshotSerializer.serialize(snapshotsTopic, snapshots.snapshotOf("item-00001", "item-00001", record,
            Workload.START.toEpochMilli(), SnapshotReason.COUNT));
    }
}
