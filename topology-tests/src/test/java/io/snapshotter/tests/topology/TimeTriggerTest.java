package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.START;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TimeTriggerTest {

    private static final long T = 60_000;

    private static final Map<String, String> WALL_CLOCK = Map.of(
        "snapshot.policy", "time",
        "snapshot.every.ms", String.valueOf(T));
    private static final Map<String, String> STREAM_TIME = Map.of(
        "snapshot.policy", "time",
        "snapshot.every.ms", String.valueOf(T),
        "snapshot.clock", "stream-time");

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldNotSnapshotBeforeTHasPassed() {
        TopologyFixture fixture = fixtures.start(WALL_CLOCK);
        fixture.sendEvents(ITEM, "item-1", 1, 3, T0);

        fixture.advanceWallClock(T - 1);

        assertThat(fixture.readSnapshots()).isEmpty();
    }

    @Test
    void shouldSnapshotTheCurrentVersionOnceTHasPassedSinceTheFirstPendingEvent() {
        TopologyFixture fixture = fixtures.start(WALL_CLOCK);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        fixture.advanceWallClock(T / 2);
        fixture.sendEvents(ITEM, "item-1", 3, 3, T0);
        assertThat(fixture.readSnapshots()).isEmpty();

        fixture.advanceWallClock(T / 2);

        assertThat(fixture.readSnapshots())
            .extracting(Snapshot::getVersion, s -> s.getMetadata().getReason(), Snapshot::getSnapshotTimestamp)
            .containsExactly(tuple(3L, SnapshotReason.TIME, START.plusMillis(T)));
    }

    @Test
    void shouldNotSnapshotAnAggregateWithNothingNewSinceItsLastSnapshot() {
        TopologyFixture fixture = fixtures.start(WALL_CLOCK);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        fixture.advanceWallClock(T);
        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion).containsExactly(2L);

        for (int i = 0; i < 100; i++) {
            fixture.advanceWallClock(T);
        }

        assertThat(fixture.readSnapshots()).isEmpty();
    }

    @Test
    void shouldSnapshotAnIdleAggregateWithPendingEventsWithoutAnyNewInput() {
        TopologyFixture fixture = fixtures.start(WALL_CLOCK);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);

        // the punctuation runs every second, as in a running application
        for (long elapsed = 1_000; elapsed <= T + 5_000; elapsed += 1_000) {
            fixture.advanceWallClock(1_000);
        }

        List<TestRecord<String, byte[]>> records = fixture.readSnapshotRecords();
        assertThat(records).hasSize(1);
        Snapshot snapshot = fixture.decodeSnapshot(records.get(0).value());
        assertThat(snapshot.getVersion()).isEqualTo(2);
        assertThat(snapshot.getMetadata().getReason()).isEqualTo(SnapshotReason.TIME);
        assertThat(snapshot.getSnapshotTimestamp()).isEqualTo(START.plusMillis(T));
        assertThat(records.get(0).timestamp()).isEqualTo(T0 + T);
    }

    @Test
    void shouldNotSnapshotOnStreamTimeWhenOnlyTheWallClockAdvances() {
        TopologyFixture fixture = fixtures.start(STREAM_TIME);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);

        for (int i = 0; i < 10; i++) {
            fixture.advanceWallClock(T);
        }

        assertThat(fixture.readSnapshots()).isEmpty();
        assertThat(fixture.aggregate("item-1").getEventsSinceSnapshot()).isEqualTo(2);
    }

    @Test
    void shouldSnapshotOnStreamTimeWhenEventsOfAnotherAggregateMoveItPastDue() {
        TopologyFixture fixture = fixtures.start(STREAM_TIME);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        fixture.sendEvents(ITEM, "item-2", 1, 1, T0 + T - 1_000);
        assertThat(fixture.readSnapshots()).isEmpty();

        fixture.sendEvents(ITEM, "item-2", 2, 2, T0 + T + 2_500);

        assertThat(fixture.readSnapshots())
            .extracting(Snapshot::getAggregateId, Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(tuple("item-1", 2L, SnapshotReason.TIME));
    }

    @Test
    void shouldStampAStreamTimeSnapshotWithItsDueTime() {
        TopologyFixture fixture = fixtures.start(STREAM_TIME);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        fixture.sendEvents(ITEM, "item-2", 1, 1, T0 + T + 2_500);

        List<TestRecord<String, byte[]>> records = fixture.readSnapshotRecords();

        assertThat(records).hasSize(1);
        assertThat(fixture.decodeSnapshot(records.get(0).value()).getSnapshotTimestamp())
            .isEqualTo(Instant.ofEpochMilli(T0 + T));
        assertThat(records.get(0).timestamp()).isEqualTo(T0 + T);
    }

    @Test
    void shouldProduceByteIdenticalStreamTimeSnapshotsOnTwoRunsWhateverTheWallClock() {
        List<byte[]> first = snapshotBytesOfARun(START);
        List<byte[]> second = snapshotBytesOfARun(START.plusSeconds(86_400));

        assertThat(first).hasSize(4);
        assertThat(second).containsExactlyElementsOf(first);
    }

    @Test
    void shouldTakeTheStreamTimeSnapshotOfTheStateBeforeAnOwnEventArrivingPastDue() {
        TopologyFixture fixture = fixtures.start(STREAM_TIME);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);

        fixture.sendEvents(ITEM, "item-1", 3, 3, T0 + T + 500);

        assertThat(fixture.readSnapshots())
            .extracting(Snapshot::getVersion, s -> s.getMetadata().getReason(), Snapshot::getSnapshotTimestamp)
            .containsExactly(tuple(2L, SnapshotReason.TIME, Instant.ofEpochMilli(T0 + T)));
        assertThat(fixture.aggregate("item-1").getVersion()).isEqualTo(3);
        assertThat(fixture.aggregate("item-1").getEventsSinceSnapshot()).isEqualTo(1);
    }

    @Test
    void shouldNeverStampAStreamTimeSnapshotEarlierThanItsLastEvent() {
        TopologyFixture fixture = fixtures.start(STREAM_TIME);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);

        fixture.sendEvents(ITEM, "item-1", 3, 3, T0 + 5 * T);

        assertThat(fixture.readSnapshots()).isNotEmpty().allSatisfy(snapshot ->
            assertThat(snapshot.getSnapshotTimestamp()).as("snapshot of version %d", snapshot.getVersion())
                .isAfterOrEqualTo(snapshot.getLastEventTimestamp()));
    }

    @Test
    void shouldTakeAtMostOneStreamTimeSnapshotWithinTAfterAnIdlePeriod() {
        TopologyFixture fixture = fixtures.start(STREAM_TIME);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);

        // after 5T without events, six events within 50 s (< T)
        for (long sequence = 3; sequence <= 8; sequence++) {
            fixture.sendEvents(ITEM, "item-1", sequence, sequence, T0 + 5 * T + (sequence - 3) * 10_000);
        }

        assertThat(fixture.readSnapshots()).filteredOn(snapshot -> snapshot.getVersion() > 2)
            .extracting(Snapshot::getVersion)
            .hasSizeLessThanOrEqualTo(1);
    }

    /** Two aggregates, each snapshotted twice by time, with the driver's wall clock starting at {@code wallClock}. */
    private List<byte[]> snapshotBytesOfARun(Instant wallClock) {
        TopologyFixture fixture = fixtures.start(STREAM_TIME, wallClock);
        long sequence = 1;
        for (long time = T0; time <= T0 + 3 * T; time += 7_000, sequence++) {
            fixture.sendEvents(ITEM, "item-a", sequence, sequence, time);
            fixture.sendEvents(ITEM, "item-b", sequence, sequence, time + 3_000);
            fixture.advanceWallClock(1_000);
        }
        return fixture.readSnapshotRecords().stream().map(TestRecord::value).toList();
    }
}
