package io.snapshotter.tests.topology;

import io.snapshotter.topology.SnapshotTopology;
import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.topology.FoldMetrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The time trigger finds due aggregates through the schedule index, which holds one entry per
 * aggregate that had events within T (a snapshot leaves the entry, which is moved on or removed when
 * it comes due), so a punctuation touches those and not every aggregate in the store.
 * (How fast that is is for the benchmarks to show, not for tests.)
 */
class PunctuationCostTest {

    private static final int N = 2;
    private static final long T = 60_000;
    private static final int CLEAN = 2_000;
    private static final int PENDING = 10;
    private static final Map<String, String> HYBRID = Map.of(
        "snapshot.policy", "hybrid",
        "snapshot.every.events", String.valueOf(N),
        "snapshot.every.ms", String.valueOf(T));

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldIndexEachAggregateOnceAtItsFirstDueTimeAndLeaveTheEntryOfASnapshottedOne() {
        TopologyFixture fixture = startWithCleanAndPendingAggregates(HYBRID);

        assertThat(fixture.allAggregates()).hasSize(CLEAN + PENDING);
        List<Bytes> expected = new java.util.ArrayList<>(scheduleKeys(T0 + T, "pending-", PENDING));
        expected.addAll(scheduleKeys(T0 + T, "clean-", CLEAN));
        assertThat(fixture.scheduleKeys()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void shouldEmitExactlyTheDueTimeSnapshotsAndEmptyTheSchedule() {
        TopologyFixture fixture = startWithCleanAndPendingAggregates(HYBRID);

        fixture.advanceWallClock(T);

        List<Snapshot> snapshots = fixture.readSnapshots();
        assertThat(snapshots).extracting(Snapshot::getAggregateId)
            .containsExactlyInAnyOrderElementsOf(ids("pending-", PENDING));
        assertThat(snapshots).extracting(s -> s.getMetadata().getReason()).containsOnly(SnapshotReason.TIME);
        assertThat(fixture.scheduleKeys()).isEmpty();
        assertThat(fixture.count(FoldMetrics.SNAPSHOTS, "reason", "TIME")).isEqualTo(PENDING);
    }

    @Test
    void shouldLeaveEntriesThatAreNotDueYetInTheSchedule() {
        TopologyFixture fixture = startWithCleanAndPendingAggregates(HYBRID);
        fixture.advanceWallClock(T / 2);
        ids("later-", PENDING).forEach(id -> fixture.sendEvents(ITEM, id, 1, 1, T0));

        fixture.advanceWallClock(T / 2);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getAggregateId)
            .containsExactlyInAnyOrderElementsOf(ids("pending-", PENDING));
        assertThat(fixture.scheduleKeys())
            .containsExactlyInAnyOrderElementsOf(scheduleKeys(T0 + T / 2 + T, "later-", PENDING));
    }

    @Test
    void shouldMoveAnEntryASnapshotLeftToTheLaterDueTimeOfTheEventsSinceAndSnapshotThemThen() {
        TopologyFixture fixture = fixtures.start(HYBRID);
        fixture.sendEvents(ITEM, "item-1", 1, N - 1, T0);        // pending: an entry at T0 + T
        fixture.advanceWallClock(T / 2);
        fixture.sendEvents(ITEM, "item-1", N, N, T0);            // a count snapshot at T0 + T/2; the entry stays
        fixture.sendEvents(ITEM, "item-1", N + 1, N + 1, T0);    // due T after that snapshot
        assertThat(fixture.scheduleKeys()).containsExactly(SnapshotTopology.scheduleKey(T0 + T, "item-1"));

        fixture.advanceWallClock(T / 2);

        assertThat(fixture.readSnapshots()).extracting(s -> s.getMetadata().getReason())
            .containsExactly(SnapshotReason.COUNT);
        assertThat(fixture.scheduleKeys()).containsExactly(SnapshotTopology.scheduleKey(T0 + T / 2 + T, "item-1"));

        fixture.advanceWallClock(T / 2);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(org.assertj.core.groups.Tuple.tuple(N + 1L, SnapshotReason.TIME));
        assertThat(fixture.scheduleKeys()).isEmpty();
    }

    @Test
    void shouldTakeAtMostTheConfiguredNumberOfSnapshotsPerPunctuation() {
        Map<String, String> config = new HashMap<>(HYBRID);
        config.put("snapshot.punctuation.max.snapshots", "4");
        TopologyFixture fixture = fixtures.start(config);
        ids("pending-", PENDING).forEach(id -> fixture.sendEvents(ITEM, id, 1, 1, T0));

        fixture.advanceWallClock(T);
        assertThat(fixture.readSnapshots()).hasSize(4);
        fixture.advanceWallClock(1_000);
        assertThat(fixture.readSnapshots()).hasSize(4);
        fixture.advanceWallClock(1_000);
        assertThat(fixture.readSnapshots()).hasSize(2);
        assertThat(fixture.scheduleKeys()).isEmpty();
    }

    /**
     * {@value CLEAN} aggregates with N events each, snapshotted by count so nothing is pending, and
     * {@value PENDING} with one pending event each, all at the start; the count snapshots are read off.
     */
    private TopologyFixture startWithCleanAndPendingAggregates(Map<String, String> config) {
        TopologyFixture fixture = fixtures.start(config);
        ids("clean-", CLEAN).forEach(id -> fixture.sendEvents(ITEM, id, 1, N, T0));
        ids("pending-", PENDING).forEach(id -> fixture.sendEvents(ITEM, id, 1, 1, T0));
        assertThat(fixture.readSnapshots()).hasSize(CLEAN);
        return fixture;
    }

    private static List<String> ids(String prefix, int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + i).toList();
    }

    private static List<Bytes> scheduleKeys(long due, String prefix, int count) {
        return ids(prefix, count).stream().map(id -> SnapshotTopology.scheduleKey(due, id)).toList();
    }
}
