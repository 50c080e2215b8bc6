package io.snapshotter.tests.topology;

import io.snapshotter.topology.FoldMetrics;
import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.WAREHOUSE;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.snapshotter.schema.Snapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fold's distributions, recorded in Micrometer: snapshot sizes, events per snapshot, punctuation time. */
class FoldHistogramsTest {

    private static final int N = 4;
    private static final Map<String, String> COUNT_EVERY_N = Map.of(
        "snapshot.policy", "count",
        "snapshot.every.events", String.valueOf(N));

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldRecordTheStoredSizeOfEverySnapshotByAggregateTypeAndReason() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, N, T0);
        fixture.sendEvents(ITEM, "item-2", 1, N, T0);
        fixture.sendEvents(WAREHOUSE, "warehouse-1", 1, N, T0);
        List<Snapshot> snapshots = fixture.readSnapshots();

        DistributionSummary items = summary(fixture, FoldMetrics.SNAPSHOT_SIZE, ITEM, "COUNT");
        DistributionSummary warehouses = summary(fixture, FoldMetrics.SNAPSHOT_SIZE, WAREHOUSE, "COUNT");

        assertThat(items.count()).isEqualTo(2);
        assertThat(items.totalAmount()).isEqualTo(sizeOf(snapshots, ITEM));
        assertThat(warehouses.count()).isEqualTo(1);
        assertThat(warehouses.totalAmount()).isEqualTo(sizeOf(snapshots, WAREHOUSE));
    }

    @Test
    void shouldRecordHowManyEventsEachSnapshotCovers() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, N, T0);
        fixture.sendEvents(ITEM, "item-1", N + 1, N + 2, T0);

        fixture.requestSnapshot("item-1", "admin");

        assertThat(summary(fixture, FoldMetrics.SNAPSHOT_EVENTS, ITEM, "COUNT").totalAmount()).isEqualTo(N);
        DistributionSummary manual = summary(fixture, FoldMetrics.SNAPSHOT_EVENTS, ITEM, "MANUAL");
        assertThat(manual.count()).isEqualTo(1);
        assertThat(manual.totalAmount()).isEqualTo(2);
    }

    @Test
    void shouldTimeEveryPunctuation() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, 1, T0);
        Timer punctuation = fixture.meters.get(FoldMetrics.PUNCTUATION).timer();
        long before = punctuation.count();

        for (int i = 0; i < 3; i++) {
            fixture.advanceWallClock(1_000);
        }

        assertThat(punctuation.count()).isEqualTo(before + 3);
    }

    private static DistributionSummary summary(TopologyFixture fixture, String name, String type, String reason) {
        return fixture.meters.get(name).tags("aggregate_type", type, "reason", reason).summary();
    }

    private static double sizeOf(List<Snapshot> snapshots, String type) {
        return snapshots.stream().filter(s -> s.getAggregateType().equals(type))
            .mapToInt(s -> s.getState().remaining()).sum();
    }
}
