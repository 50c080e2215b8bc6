package io.snapshotter.replay;

import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.snapshot.CorruptSnapshotException;
import io.snapshotter.snapshot.SnapshotFactory;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The seeds of a replay from a point in time: for each aggregate, its newest snapshot whose events
 * all happened at or before that point ({@code lastEventTimestamp <= from}), made by the fold
 * version that folds its type now. A snapshot of another fold version, of a type with no fold, or
 * one that fails its checksum is never a seed; an older one that qualifies is used instead, and an
 * aggregate with none is folded from its first event.
 */
final class ReplaySeeds {

    private final Instant from;
    private final FoldRegistry folds;
    private final Map<String, Snapshot> seeds = new HashMap<>();
    private long offered;
    private long afterPoint;
    private long otherFoldVersion;
    private long corrupt;

    ReplaySeeds(Instant from, FoldRegistry folds) {
        this.from = from;
        this.folds = folds;
    }

    /** Considers one snapshot, from either source, in any order. */
    void offer(Snapshot snapshot) {
        offered++;
        if (snapshot.getLastEventTimestamp().isAfter(from)) {
            afterPoint++;
            return;
        }
        RegisteredFold fold = folds.forType(snapshot.getAggregateType());
        if (fold == null || fold.fold().version() != snapshot.getFoldVersion()) {
            otherFoldVersion++;
            return;
        }
        Snapshot newest = seeds.get(snapshot.getAggregateId());
        if (newest != null && newest.getVersion() >= snapshot.getVersion()) {
            return;
        }
        try {
            SnapshotFactory.verifiedState(snapshot);
        } catch (CorruptSnapshotException e) {
            corrupt++;
            return;
        }
        seeds.put(snapshot.getAggregateId(), snapshot);
    }

    /**
     * Whether the event in {@code value} is already in its aggregate's seed, so a replay need not
     * read it. An event that does not decode is never covered: the replay reads it again, and it is
     * dead-lettered again.
     */
    boolean covers(String aggregateId, byte[] value, AvroWireCodec codec) {
        Snapshot seed = seeds.get(aggregateId);
        if (seed == null) {
            return false;
        }
        try {
            return codec.decode(value, EventEnvelope.class).getSequence() <= seed.getVersion();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The store record that starts {@code seed}'s aggregate where its snapshot left it, nothing pending. */
    static AggregateRecord storeRecord(Snapshot seed) {
        return AggregateRecord.newBuilder()
            .setAggregateType(seed.getAggregateType())
            .setVersion(seed.getVersion())
            .setLastEventId(seed.getLastEventId())
            .setLastEventTimestamp(seed.getLastEventTimestamp().toEpochMilli())
            .setEventsSinceSnapshot(0)
            .setLastSnapshotVersion(seed.getVersion())
            .setLastSnapshotTime(seed.getSnapshotTimestamp().toEpochMilli())
            .setSnapshotDueTime(SnapshotPolicy.NEVER)
            .setFoldVersion(seed.getFoldVersion())
            .setState(ByteBuffer.wrap(SnapshotFactory.verifiedState(seed)))
            .build();
    }

    Map<String, Snapshot> seeds() {
        return seeds;
    }

    /** A line for the terminal: how many snapshots were read and how many became seeds. */
    String summary() {
        return String.format("%,d seeds from %,d snapshots (%,d with events after %s, %,d of another fold version or "
            + "type, %,d corrupt)", seeds.size(), offered, afterPoint, from, otherFoldVersion, corrupt);
    }
}
