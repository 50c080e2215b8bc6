package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HybridTriggerTest {

    private static final int N = 5;
    private static final long T = 60_000;
    private static final Map<String, String> HYBRID = Map.of(
        "snapshot.policy", "hybrid",
        "snapshot.every.events", String.valueOf(N),
        "snapshot.every.ms", String.valueOf(T));

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldSnapshotByCountFirstWhenEventsComeFast() {
        TopologyFixture fixture = fixtures.start(HYBRID);

        fixture.sendEvents(ITEM, "item-1", 1, N, T0);
        fixture.advanceWallClock(2 * T);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(tuple((long) N, SnapshotReason.COUNT));
    }

    @Test
    void shouldSnapshotByTimeFirstWhenEventsComeSlowly() {
        TopologyFixture fixture = fixtures.start(HYBRID);

        for (long sequence = 1; sequence <= 3; sequence++) {
            fixture.sendEvents(ITEM, "item-1", sequence, sequence, T0);
            fixture.advanceWallClock(T);
        }

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(
                tuple(1L, SnapshotReason.TIME),
                tuple(2L, SnapshotReason.TIME),
                tuple(3L, SnapshotReason.TIME));
    }

    @Test
    void shouldKeepCountSnapshotsAtMultiplesOfNAfterATimeSnapshot() {
        TopologyFixture fixture = fixtures.start(HYBRID);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        fixture.advanceWallClock(T);

        fixture.sendEvents(ITEM, "item-1", 3, 2 * N, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(
                tuple(2L, SnapshotReason.TIME),
                tuple((long) N, SnapshotReason.COUNT),
                tuple(2L * N, SnapshotReason.COUNT));
    }

    @Test
    void shouldNotSnapshotTheSameVersionTwice() {
        Map<String, String> config = new HashMap<>(HYBRID);
        // no punctuation until long after: N - 1 pending events fall due and wait for the N-th
        config.put("snapshot.punctuation.interval.ms", String.valueOf(10 * T));
        TopologyFixture fixture = fixtures.start(config);
        fixture.sendEvents(ITEM, "item-1", 1, N - 1, T0);
        fixture.advanceWallClock(T + 1);

        fixture.sendEvents(ITEM, "item-1", N, N, T0);
        fixture.advanceWallClock(20 * T);

        List<Snapshot> snapshots = fixture.readSnapshots();
        assertThat(snapshots).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(
                tuple(N - 1L, SnapshotReason.TIME),
                tuple((long) N, SnapshotReason.COUNT));
        assertThat(fixture.scheduleKeys()).isEmpty();
    }
}
