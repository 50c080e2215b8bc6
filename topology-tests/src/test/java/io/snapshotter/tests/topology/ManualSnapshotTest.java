package io.snapshotter.tests.topology;

import io.snapshotter.topology.SnapshotRequest;
import io.snapshotter.topology.TopologyConfig;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.START;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.referenceFold;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.topology.FoldMetrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MANUAL snapshots: requested on the snapshot requests topic, taken by the fold processor in line with the events. */
class ManualSnapshotTest {

    private static final int N = 5;
    private static final long T = 60_000;
    private static final Map<String, String> COUNT_EVERY_N = Map.of(
        "snapshot.policy", "count",
        "snapshot.every.events", String.valueOf(N));
    private static final Map<String, String> TIME_EVERY_T = Map.of(
        "snapshot.policy", "time",
        "snapshot.every.ms", String.valueOf(T));

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldNotMoveStreamTimeSoOtherPendingTimeSnapshotsStayPending() {
        TopologyFixture fixture = fixtures.start(Map.of("snapshot.clock", "stream-time", "snapshot.policy", "time",
            "snapshot.every.ms", "60000"));
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        fixture.sendEvents(ITEM, "item-2", 1, 1, T0);

        // the admin endpoint stamps a request with the wall clock, an hour past the events here
        SnapshotRequest request = new SnapshotRequest("request-1", "ops", "test", T0 + 3_600_000);
        fixture.sendRawSnapshotRequest("item-1".getBytes(StandardCharsets.UTF_8), request.toBytes(),
            START.plus(java.time.Duration.ofHours(1)));

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getAggregateId, s -> s.getMetadata().getReason())
            .containsExactly(tuple("item-1", SnapshotReason.MANUAL));
        assertThat(fixture.readSnapshots()).isEmpty();
        assertThat(fixture.aggregate("item-2").getEventsSinceSnapshot()).isEqualTo(1);
        // stream time still moves with the events: item-2's snapshot falls due at T0 + 60 s
        fixture.sendEvents(ITEM, "item-3", 1, 1, T0 + 61_000);
        assertThat(fixture.readSnapshots()).extracting(Snapshot::getAggregateId).contains("item-2");
    }

    @Test
    void shouldSnapshotTheFoldedStateWithReasonManualWhenRequested() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        List<DomainEvent> events = fixture.sendEvents(ITEM, "item-1", 1, 3, T0);

        SnapshotRequest request = fixture.requestSnapshot("item-1", "admin (alice)");

        List<TestRecord<String, byte[]>> records = fixture.readSnapshotRecords();
        assertThat(records).hasSize(1);
        Snapshot snapshot = fixture.decodeSnapshot(records.get(0).value());
        assertThat(snapshot.getVersion()).isEqualTo(3);
        assertThat(snapshot.getMetadata().getReason()).isEqualTo(SnapshotReason.MANUAL);
        assertThat(snapshot.getMetadata().getCreatedBy()).isEqualTo(TopologyFixture.APPLICATION_ID);
        assertThat(fixture.stateOf(snapshot, InventoryItemState.class))
            .isEqualTo(referenceFold(new InventoryItemFold(), events));
        assertThat(TopologyFixture.header(records.get(0), SnapshotRequest.REQUEST_ID_HEADER)).isEqualTo(request.requestId());
        assertThat(TopologyFixture.header(records.get(0), SnapshotRequest.REQUESTED_BY_HEADER)).isEqualTo("admin (alice)");
        assertThat(fixture.count(FoldMetrics.SNAPSHOTS, "reason", "MANUAL")).isEqualTo(1.0);
    }

    @Test
    void shouldResetTheAggregatesSnapshotBookkeepingAfterAManualSnapshot() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, 3, T0);

        fixture.requestSnapshot("item-1", "admin");

        AggregateRecord record = fixture.aggregate("item-1");
        assertThat(record.getVersion()).isEqualTo(3);
        assertThat(record.getEventsSinceSnapshot()).isZero();
        assertThat(record.getLastSnapshotVersion()).isEqualTo(3);
        assertThat(record.getLastSnapshotTime()).isEqualTo(T0);
    }

    @Test
    void shouldSnapshotExactlyTheEventsFoldedBeforeTheRequest() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        fixture.requestSnapshot("item-1", "admin");
        fixture.sendEvents(ITEM, "item-1", 3, 4, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(tuple(2L, SnapshotReason.MANUAL));
        assertThat(fixture.aggregate("item-1").getVersion()).isEqualTo(4);
        assertThat(fixture.aggregate("item-1").getEventsSinceSnapshot()).isEqualTo(2);
    }

    @Test
    void shouldSkipARequestWhenNothingWasFoldedSinceTheLastSnapshot() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, N, T0);
        assertThat(fixture.readSnapshots()).extracting(s -> s.getMetadata().getReason())
            .containsExactly(SnapshotReason.COUNT);

        fixture.requestSnapshot("item-1", "admin");

        assertThat(fixture.readSnapshots()).isEmpty();
        assertThat(fixture.count(FoldMetrics.SNAPSHOT_REQUESTS_SKIPPED)).isEqualTo(1.0);
        assertThat(fixture.count(FoldMetrics.SNAPSHOTS, "reason", "MANUAL")).isZero();
    }

    @Test
    void shouldSkipARequestForAnUnknownAggregate() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);

        fixture.requestSnapshot("item-unknown", "admin");

        assertThat(fixture.readSnapshots()).isEmpty();
        assertThat(fixture.readDeadLetters()).isEmpty();
        assertThat(fixture.aggregate("item-unknown")).isNull();
        assertThat(fixture.count(FoldMetrics.SNAPSHOT_REQUESTS_SKIPPED)).isEqualTo(1.0);
    }

    @Test
    void shouldKeepCountSnapshotsOnMultiplesOfNAfterAManualSnapshot() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, 3, T0);
        fixture.requestSnapshot("item-1", "admin");

        fixture.sendEvents(ITEM, "item-1", 4, 2 * N, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(tuple(3L, SnapshotReason.MANUAL), tuple((long) N, SnapshotReason.COUNT),
                tuple(2L * N, SnapshotReason.COUNT));
    }

    @Test
    void shouldNotTakeTheDueTimeSnapshotOfEventsAManualSnapshotCovered() {
        TopologyFixture fixture = fixtures.start(TIME_EVERY_T);
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        assertThat(fixture.scheduleKeys()).hasSize(1);

        fixture.requestSnapshot("item-1", "admin");
        fixture.advanceWallClock(2 * T);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(tuple(2L, SnapshotReason.MANUAL));
        assertThat(fixture.scheduleKeys()).isEmpty();
    }

    @Test
    void shouldDeadLetterAnUndecodableSnapshotRequestWithItsOriginalBytes() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, 3, T0);
        byte[] garbage = "snapshot please".getBytes(StandardCharsets.UTF_8);

        fixture.sendRawSnapshotRequest("item-1".getBytes(StandardCharsets.UTF_8), garbage);

        assertThat(fixture.readSnapshots()).isEmpty();
        List<TestRecord<byte[], byte[]>> deadLetters = fixture.readDeadLetters();
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).value()).isEqualTo(garbage);
        assertThat(TopologyFixture.header(deadLetters.get(0), DeadLetters.REASON))
            .isEqualTo(DeadLetterReason.UNDECODABLE.name());
        assertThat(TopologyFixture.header(deadLetters.get(0), DeadLetters.SOURCE_TOPIC))
            .isEqualTo(fixture.config.getString(TopologyConfig.SNAPSHOT_REQUESTS_TOPIC));
        assertThat(TopologyFixture.header(deadLetters.get(0), DeadLetters.REJECTED_AT)).isEqualTo(START.toString());
        assertThat(fixture.aggregate("item-1").getEventsSinceSnapshot()).isEqualTo(3);
    }

    @Test
    void shouldDeadLetterASnapshotRequestWithoutAKey() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);

        fixture.sendRawSnapshotRequest(null, new SnapshotRequest("r-1", "admin", null, T0).toBytes());

        assertThat(fixture.readDeadLetters()).extracting(r -> TopologyFixture.header(r, DeadLetters.REASON))
            .containsExactly(DeadLetterReason.MISSING_AGGREGATE_ID.name());
        assertThat(fixture.deadLetterMetric(DeadLetterReason.MISSING_AGGREGATE_ID)).isEqualTo(1.0);
    }
}
