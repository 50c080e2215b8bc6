package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.APPLICATION_ID;
import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.START;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.bytes;
import static io.snapshotter.tests.topology.TopologyFixture.referenceFold;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotMetadata;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.StateCompression;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.topology.FoldMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CountTriggerTest {

    private static final int N = 5;
    private static final Map<String, String> COUNT_EVERY_N = Map.of(
        "snapshot.policy", "count",
        "snapshot.every.events", String.valueOf(N));
    private static final Map<String, String> COUNT_EVERY_N_GZIPPED = Map.of(
        "snapshot.policy", "count",
        "snapshot.every.events", String.valueOf(N),
        "snapshot.compression.min.bytes", "0");

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldNotSnapshotBeforeTheNthEvent() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);

        fixture.sendEvents(ITEM, "item-1", 1, N - 1, T0);

        assertThat(fixture.readSnapshots()).isEmpty();
        assertThat(fixture.aggregate("item-1").getEventsSinceSnapshot()).isEqualTo(N - 1);
    }

    @Test
    void shouldSnapshotVersionNAtTheNthEventThen2NAtThe2NthWithReasonCount() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);

        fixture.sendEvents(ITEM, "item-1", 1, N, T0);
        assertThat(fixture.readSnapshots())
            .extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(tuple((long) N, SnapshotReason.COUNT));

        fixture.sendEvents(ITEM, "item-1", N + 1, 2 * N - 1, T0);
        assertThat(fixture.readSnapshots()).isEmpty();

        fixture.sendEvents(ITEM, "item-1", 2 * N, 2 * N, T0);
        assertThat(fixture.readSnapshots())
            .extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(tuple((long) 2 * N, SnapshotReason.COUNT));
        assertThat(fixture.count(FoldMetrics.SNAPSHOTS, "reason", "COUNT")).isEqualTo(2.0);
    }

    @Test
    void shouldFillEverySnapshotField() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        for (long sequence = 1; sequence <= N; sequence++) {
            fixture.send(ITEM, "item-1", sequence, T0 - 60_000 + sequence * 1_000,
                TopologyFixture.validEvent(ITEM, sequence));
        }

        List<TestRecord<String, byte[]>> records = fixture.readSnapshotRecords();

        assertThat(records).hasSize(1);
        TestRecord<String, byte[]> record = records.get(0);
        Snapshot snapshot = fixture.decodeSnapshot(record.value());
        assertThat(record.key()).isEqualTo("item-1");
        assertThat(record.timestamp()).isEqualTo(T0);
        assertThat(snapshot.getAggregateId()).isEqualTo("item-1");
        assertThat(snapshot.getAggregateType()).isEqualTo(ITEM);
        assertThat(snapshot.getPartitionKey()).isEqualTo("item-1");
        assertThat(snapshot.getVersion()).isEqualTo(N);
        assertThat(snapshot.getLastEventSequence()).isEqualTo(N);
        assertThat(snapshot.getLastEventId()).isEqualTo(TopologyFixture.eventId("item-1", N));
        assertThat(snapshot.getLastEventTimestamp()).isEqualTo(Instant.ofEpochMilli(T0 - 60_000 + N * 1_000));
        // a count snapshot is stamped with the clock (here the driver's wall clock), not the event time
        assertThat(snapshot.getSnapshotTimestamp()).isEqualTo(START);
        assertThat(snapshot.getStateFormatVersion()).isEqualTo(SnapshotFactory.STATE_FORMAT_VERSION).isEqualTo(1);
        assertThat(snapshot.getFoldVersion()).isEqualTo(new InventoryItemFold().version());
        assertThat(snapshot.getCompression()).isEqualTo(StateCompression.NONE);
        assertThat(snapshot.getChecksum()).isEqualTo(SnapshotFactory.checksum(bytes(snapshot.getState())))
            .matches("crc32c:[0-9a-f]{8}");
        assertThat(snapshot.getMetadata()).isEqualTo(new SnapshotMetadata(SnapshotReason.COUNT, APPLICATION_ID));
    }

    @Test
    void shouldSnapshotTheReferenceFoldOfTheEventsUpToItsVersion() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        List<DomainEvent> sent = new ArrayList<>(fixture.sendEvents(ITEM, "item-1", 1, 3, T0));
        sent.add(fixture.send(ITEM, "item-1", 4, T0 + 1, new StockShipped(2, "order-4")));
        sent.addAll(fixture.sendEvents(ITEM, "item-1", 5, 9, T0 + 2));
        sent.add(fixture.send(ITEM, "item-1", 10, T0 + 3, new StockShipped(7, "order-10")));

        List<Snapshot> snapshots = fixture.readSnapshots();

        assertThat(snapshots).extracting(Snapshot::getVersion).containsExactly(5L, 10L);
        InventoryItemFold fold = new InventoryItemFold();
        assertThat(fixture.stateOf(snapshots.get(0), InventoryItemState.class))
            .isEqualTo(referenceFold(fold, sent.subList(0, 5)));
        assertThat(fixture.stateOf(snapshots.get(1), InventoryItemState.class))
            .isEqualTo(referenceFold(fold, sent));
    }

    @Test
    void shouldCountEachAggregateIndependently() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        for (long sequence = 1; sequence < N; sequence++) {
            fixture.sendEvents(ITEM, "item-a", sequence, sequence, T0);
            fixture.sendEvents(ITEM, "item-b", sequence, sequence, T0);
        }
        fixture.sendEvents(ITEM, "item-a", N, N, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getAggregateId, Snapshot::getVersion)
            .containsExactly(tuple("item-a", (long) N));

        fixture.sendEvents(ITEM, "item-b", N, N, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getAggregateId, Snapshot::getVersion)
            .containsExactly(tuple("item-b", (long) N));
    }

    @Test
    void shouldProduceByteIdenticalSnapshotsOnTwoRunsOfTheSameInput() {
        List<byte[]> first = snapshotBytesOfARun();
        List<byte[]> second = snapshotBytesOfARun();

        assertThat(first).hasSize(6);
        assertThat(second).containsExactlyElementsOf(first);
    }

    @Test
    void shouldGzipStateOfAtLeastCompressionMinBytesAndStillDecodeToTheSameState() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N_GZIPPED);
        List<DomainEvent> sent = fixture.sendEvents(ITEM, "item-1", 1, N, T0);

        Snapshot snapshot = fixture.readSnapshots().get(0);

        byte[] stored = bytes(snapshot.getState());
        assertThat(snapshot.getCompression()).isEqualTo(StateCompression.GZIP);
        assertThat(stored).startsWith((byte) 0x1f, (byte) 0x8b);
        assertThat(snapshot.getChecksum()).isEqualTo(SnapshotFactory.checksum(stored));
        assertThat(SnapshotFactory.verifiedState(snapshot)).isEqualTo(bytes(fixture.aggregate("item-1").getState()));
        assertThat(fixture.stateOf(snapshot, InventoryItemState.class))
            .isEqualTo(referenceFold(new InventoryItemFold(), sent));
    }

    @Test
    void shouldStoreStateSmallerThanCompressionMinBytesUncompressed() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N);
        fixture.sendEvents(ITEM, "item-1", 1, N, T0);

        Snapshot snapshot = fixture.readSnapshots().get(0);

        assertThat(snapshot.getCompression()).isEqualTo(StateCompression.NONE);
        assertThat(bytes(snapshot.getState())).isEqualTo(bytes(fixture.aggregate("item-1").getState()));
    }

    /**
     * Snapshots of two aggregates over three multiples of N, from a fresh driver at the same wall
     * clock; gzipped, since the gzip output must be deterministic too.
     */
    private List<byte[]> snapshotBytesOfARun() {
        TopologyFixture fixture = fixtures.start(COUNT_EVERY_N_GZIPPED, START);
        for (long sequence = 1; sequence <= 3 * N; sequence++) {
            fixture.send(ITEM, "item-a", sequence, T0 + sequence, TopologyFixture.validEvent(ITEM, sequence));
            fixture.send(ITEM, "item-b", sequence, T0 + sequence, TopologyFixture.validEvent(ITEM, sequence));
            fixture.advanceWallClock(1_000);
        }
        return fixture.readSnapshotRecords().stream().map(TestRecord::value).toList();
    }
}
