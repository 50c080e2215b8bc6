package io.snapshotter.demo;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.sink.SinkContext;
import io.snapshotter.sink.SinkRecord;
import io.snapshotter.sink.SnapshotSink;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.snapshot.SnapshotHistory;
import io.snapshotter.snapshot.SnapshotPage;
import io.snapshotter.snapshot.SnapshotRetention;
import io.snapshotter.snapshot.StoredSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The embedded demo's snapshot store: the newest {@code keep} snapshots per aggregate in memory,
 * fed by the same {@link io.snapshotter.sink.SnapshotRelay} that feeds DynamoDB in production, so
 * the snapshot history endpoints answer as they do there. Writes are keyed by (aggregateId,
 * version), so a batch written again changes nothing.
 */
final class InMemorySnapshotStore implements SnapshotSink, SnapshotHistory, SnapshotRetention {

    private final Map<String, NavigableMap<Long, Snapshot>> byAggregate = new ConcurrentHashMap<>();
    private final AvroWireCodec codec;
    private final int keep;

    InMemorySnapshotStore(AvroWireCodec codec, int keep) {
        this.codec = codec;
        this.keep = keep;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public int write(List<SinkRecord> batch, SinkContext context) {
        for (SinkRecord record : batch) {
            Snapshot snapshot = record.snapshot();
            NavigableMap<Long, Snapshot> versions = byAggregate.computeIfAbsent(snapshot.getAggregateId(),
                id -> new ConcurrentSkipListMap<>());
            versions.put(snapshot.getVersion(), snapshot);
            while (versions.size() > keep) {
                versions.pollFirstEntry();
            }
        }
        return batch.size();
    }

    @Override
    public Optional<StoredSnapshot> latest(String aggregateId) {
        NavigableMap<Long, Snapshot> versions = byAggregate.get(aggregateId);
        return versions == null || versions.isEmpty() ? Optional.empty()
            : Optional.of(stored(versions.lastEntry().getValue()));
    }

    @Override
    public SnapshotPage history(String aggregateId, int limit, Long beforeVersion) {
        NavigableMap<Long, Snapshot> versions = byAggregate.getOrDefault(aggregateId, new ConcurrentSkipListMap<>());
        NavigableMap<Long, Snapshot> older = beforeVersion == null ? versions.descendingMap()
            : versions.headMap(beforeVersion, false).descendingMap();
        List<StoredSnapshot> page = new ArrayList<>();
        for (Snapshot snapshot : older.values()) {
            if (page.size() == limit) {
                return new SnapshotPage(page, page.get(page.size() - 1).snapshot().getVersion());
            }
            page.add(stored(snapshot));
        }
        return new SnapshotPage(page, null);
    }

    @Override
    public Optional<StoredSnapshot> at(String aggregateId, long version) {
        NavigableMap<Long, Snapshot> versions = byAggregate.get(aggregateId);
        Snapshot snapshot = versions == null ? null : versions.get(version);
        return Optional.ofNullable(snapshot).map(this::stored);
    }

    /** Nothing to do: writes keep the newest {@code keep} already. */
    @Override
    public SweepResult sweep() {
        long scanned = byAggregate.values().stream().mapToLong(Map::size).sum();
        return new SweepResult(scanned, 0, 0);
    }

    private StoredSnapshot stored(Snapshot snapshot) {
        byte[] state = SnapshotFactory.verifiedState(snapshot);
        return new StoredSnapshot(snapshot, codec.decode(state, codec.writerSchemaOf(state)));
    }
}
