package io.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.WarehouseFold;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.policy.SnapshotPolicy;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class ReplaySeedsTest {

    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final SnapshotFactory SNAPSHOTS = new SnapshotFactory("app", true, 8);

    /** InventoryItem's fold at version 2, Warehouse's at 1. */
    private final ReplaySeeds seeds = new ReplaySeeds(FROM, new FoldRegistry(List.of(new ItemsV2(), new WarehouseFold())));

    private static Snapshot snapshot(String type, long version, int foldVersion, Instant lastEvent) {
        AggregateRecord record = new AggregateRecord(type, version, "event-" + version, lastEvent.toEpochMilli(), 0L,
            version, 0L, SnapshotPolicy.NEVER, SnapshotPolicy.NEVER, foldVersion, ByteBuffer.wrap(("state at " + version).getBytes()), null, List.of());
        return SNAPSHOTS.snapshotOf("agg-1", "agg-1", record, lastEvent.toEpochMilli() + 5, SnapshotReason.COUNT);
    }

    @Test
    void shouldPickTheNewestSnapshotWhoseEventsAllHappenedAtOrBeforeThePoint() {
        seeds.offer(snapshot("Warehouse", 100, 1, FROM.minusSeconds(60)));
        seeds.offer(snapshot("Warehouse", 300, 1, FROM.plusMillis(1)));
        seeds.offer(snapshot("Warehouse", 200, 1, FROM));

        assertThat(seeds.seeds().get("agg-1").getVersion()).isEqualTo(200);
    }

    @Test
    void shouldFallBackToAnOlderSnapshotOfTheCurrentFoldVersion() {
        seeds.offer(snapshot("InventoryItem", 100, 2, FROM.minusSeconds(60)));
        seeds.offer(snapshot("InventoryItem", 200, 1, FROM.minusSeconds(30)));

        assertThat(seeds.seeds().get("agg-1").getVersion()).isEqualTo(100);
        assertThat(seeds.summary()).contains("1 of another fold version");
    }

    @Test
    void shouldSeedNothingWhenEverySnapshotIsOfAnotherFoldVersionOrAnUnknownType() {
        seeds.offer(snapshot("InventoryItem", 100, 1, FROM.minusSeconds(60)));
        seeds.offer(snapshot("Counter", 100, 1, FROM.minusSeconds(60)));

        assertThat(seeds.seeds()).isEmpty();
    }

    @Test
    void shouldNeverSeedWithASnapshotWhoseChecksumFails() {
        Snapshot good = snapshot("Warehouse", 100, 1, FROM.minusSeconds(60));
        Snapshot corrupt = Snapshot.newBuilder(snapshot("Warehouse", 200, 1, FROM.minusSeconds(30)))
            .setChecksum("crc32c:00000000").build();
        seeds.offer(good);
        seeds.offer(corrupt);

        assertThat(seeds.seeds().get("agg-1").getVersion()).isEqualTo(100);
        assertThat(seeds.summary()).contains("1 corrupt");
    }

    @Test
    void shouldStartTheStoreRecordWhereTheSnapshotLeftItWithNothingPending() {
        Snapshot seed = snapshot("Warehouse", 200, 1, FROM.minusSeconds(30));

        AggregateRecord record = ReplaySeeds.storeRecord(seed);

        assertThat(record.getVersion()).isEqualTo(200);
        assertThat(record.getLastSnapshotVersion()).isEqualTo(200);
        assertThat(record.getEventsSinceSnapshot()).isZero();
        assertThat(record.getSnapshotDueTime()).isEqualTo(SnapshotPolicy.NEVER);
        assertThat(record.getLastEventId()).isEqualTo("event-200");
        assertThat(record.getLastEventTimestamp()).isEqualTo(FROM.minusSeconds(30).toEpochMilli());
        assertThat(record.getState()).isEqualTo(ByteBuffer.wrap("state at 200".getBytes()));
    }

    /** InventoryItem's fold, declaring version 2. */
    private static final class ItemsV2 implements AggregateFold<InventoryItemState> {
        private final InventoryItemFold fold = new InventoryItemFold();

        @Override
        public String aggregateType() {
            return fold.aggregateType();
        }

        @Override
        public Class<InventoryItemState> stateType() {
            return fold.stateType();
        }

        @Override
        public Set<Class<? extends SpecificRecord>> eventTypes() {
            return fold.eventTypes();
        }

        @Override
        public InventoryItemState apply(InventoryItemState state, DomainEvent event) {
            return fold.apply(state, event);
        }

        @Override
        public int version() {
            return 2;
        }
    }
}
