package io.snapshotter.tests.topology;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.header;
import static io.snapshotter.tests.topology.TopologyFixture.referenceFold;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.topology.FoldMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DuplicatesAndGapsTest {

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldSkipADuplicateWithoutFoldingItTwice() {
        TopologyFixture fixture = fixtures.start(Map.of());
        List<DomainEvent> sent = fixture.sendEvents(ITEM, "item-1", 1, 3, T0);
        AggregateRecord before = fixture.aggregate("item-1");

        fixture.send(ITEM, "item-1", 2, T0, TopologyFixture.validEvent(ITEM, 2));
        fixture.send(ITEM, "item-1", 3, T0, new StockReceived(1_000, "PO-replayed"));

        AggregateRecord after = fixture.aggregate("item-1");
        assertThat(after).isEqualTo(before);
        assertThat(after.getVersion()).isEqualTo(3);
        assertThat(fixture.stateOf(after, InventoryItemState.class))
            .isEqualTo(referenceFold(new InventoryItemFold(), sent));
        assertThat(fixture.count(FoldMetrics.DUPLICATES_SKIPPED)).isEqualTo(2.0);
        assertThat(fixture.count(FoldMetrics.EVENTS_FOLDED)).isEqualTo(3.0);
        assertThat(fixture.readDeadLetters()).isEmpty();
    }

    @Test
    void shouldDeadLetterADuplicateWhosePayloadDoesNotDecodeRatherThanCountIt() {
        TopologyFixture fixture = fixtures.start(Map.of());
        fixture.sendEvents(ITEM, "item-1", 1, 3, T0);
        EventEnvelope duplicate = fixture.envelope(ITEM, "item-1", 2, T0, TopologyFixture.validEvent(ITEM, 2));
        duplicate.setPayload(java.nio.ByteBuffer.wrap("not avro".getBytes(StandardCharsets.UTF_8)));

        fixture.sendEnvelope(duplicate);

        assertThat(fixture.readDeadLetters()).extracting(r -> header(r, DeadLetters.REASON))
            .containsExactly(DeadLetterReason.UNDECODABLE.name());
        assertThat(fixture.count(FoldMetrics.DUPLICATES_SKIPPED)).isZero();
        assertThat(fixture.aggregate("item-1").getVersion()).isEqualTo(3);
    }

    @Test
    void shouldDeadLetterAGapAndKeepTheAggregateWhereItWas() {
        TopologyFixture fixture = fixtures.start(Map.of());
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        AggregateRecord before = fixture.aggregate("item-1");

        EventEnvelope gapped = fixture.envelope(ITEM, "item-1", 4, T0, TopologyFixture.validEvent(ITEM, 4));
        fixture.sendEnvelope(gapped);

        List<TestRecord<byte[], byte[]>> deadLetters = fixture.readDeadLetters();
        assertThat(deadLetters).hasSize(1);
        assertThat(new String(deadLetters.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("item-1");
        assertThat(deadLetters.get(0).value()).isEqualTo(fixture.encode(gapped));
        assertThat(header(deadLetters.get(0), DeadLetters.REASON)).isEqualTo(DeadLetterReason.SEQUENCE_GAP.name());
        assertThat(fixture.aggregate("item-1")).isEqualTo(before);
        assertThat(fixture.deadLetterMetric(DeadLetterReason.SEQUENCE_GAP)).isEqualTo(1.0);
    }

    @Test
    void shouldStillFoldTheNextInOrderEventAfterAGap() {
        TopologyFixture fixture = fixtures.start(Map.of());
        List<DomainEvent> sent = new ArrayList<>(fixture.sendEvents(ITEM, "item-1", 1, 2, T0));
        fixture.sendEvents(ITEM, "item-1", 4, 4, T0);

        sent.addAll(fixture.sendEvents(ITEM, "item-1", 3, 4, T0));

        AggregateRecord after = fixture.aggregate("item-1");
        assertThat(after.getVersion()).isEqualTo(4);
        assertThat(fixture.stateOf(after, InventoryItemState.class))
            .isEqualTo(referenceFold(new InventoryItemFold(), sent));
        assertThat(fixture.readDeadLetters()).hasSize(1);
    }

    @Test
    void shouldFoldTheGappedEventAndJumpTheVersionWithGapPolicyFold() {
        TopologyFixture fixture = fixtures.start(Map.of("sequence.gap.policy", "fold"));
        List<DomainEvent> sent = new ArrayList<>(fixture.sendEvents(ITEM, "item-1", 1, 2, T0));

        sent.addAll(fixture.sendEvents(ITEM, "item-1", 5, 5, T0));

        AggregateRecord after = fixture.aggregate("item-1");
        assertThat(after.getVersion()).isEqualTo(5);
        assertThat(after.getLastEventId()).isEqualTo(TopologyFixture.eventId("item-1", 5));
        assertThat(fixture.stateOf(after, InventoryItemState.class))
            .isEqualTo(referenceFold(new InventoryItemFold(), sent));
        assertThat(fixture.readDeadLetters()).isEmpty();
        assertThat(fixture.deadLetterMetric(DeadLetterReason.SEQUENCE_GAP)).isZero();
    }

    @Test
    void shouldDeadLetterEventsOfAFoldedGapThatArriveLateRatherThanCountThemAsDuplicates() {
        TopologyFixture fixture = fixtures.start(Map.of("sequence.gap.policy", "fold"));
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);
        fixture.sendEvents(ITEM, "item-1", 5, 5, T0);
        AggregateRecord before = fixture.aggregate("item-1");

        fixture.sendEvents(ITEM, "item-1", 3, 4, T0);
        fixture.sendEvents(ITEM, "item-1", 2, 2, T0);

        assertThat(fixture.aggregate("item-1")).isEqualTo(before);
        assertThat(before.getSkipped()).extracting(r -> r.getFrom() + ".." + r.getTo()).containsExactly("3..4");
        List<TestRecord<byte[], byte[]>> deadLetters = fixture.readDeadLetters();
        assertThat(deadLetters).extracting(r -> header(r, DeadLetters.REASON))
            .containsExactly(DeadLetterReason.LATE_EVENT.name(), DeadLetterReason.LATE_EVENT.name());
        assertThat(header(deadLetters.get(0), DeadLetters.ERROR)).contains("sequence 3 was skipped by a gap (3..4)");
        // sequence 2 was folded: a true duplicate
        assertThat(fixture.count(FoldMetrics.DUPLICATES_SKIPPED)).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterAnEventClaimingTheCurrentSequenceWithAnotherEventId() {
        TopologyFixture fixture = fixtures.start(Map.of());
        fixture.sendEvents(ITEM, "item-1", 1, 3, T0);
        AggregateRecord before = fixture.aggregate("item-1");
        EventEnvelope conflicting = fixture.envelope(ITEM, "item-1", 3, T0, new StockReceived(9, "PO-9"));
        conflicting.setEventId("someone-else");

        fixture.sendEnvelope(conflicting);

        assertThat(fixture.aggregate("item-1")).isEqualTo(before);
        List<TestRecord<byte[], byte[]>> deadLetters = fixture.readDeadLetters();
        assertThat(deadLetters).extracting(r -> header(r, DeadLetters.REASON))
            .containsExactly(DeadLetterReason.CONFLICTING_DUPLICATE.name());
        assertThat(header(deadLetters.get(0), DeadLetters.ERROR)).contains("'item-1#3'").contains("'someone-else'");
        assertThat(fixture.count(FoldMetrics.DUPLICATES_SKIPPED)).isZero();
    }

    @Test
    void shouldSnapshotByCountWhenAFoldedGapJumpsOverAMultipleOfN() {
        TopologyFixture fixture = fixtures.start(Map.of(
            "sequence.gap.policy", "fold",
            "snapshot.policy", "count",
            "snapshot.every.events", "5"));
        fixture.sendEvents(ITEM, "item-1", 1, 4, T0);

        // version 4 -> 6 passes 5, the version the count trigger snapshots at
        fixture.sendEvents(ITEM, "item-1", 6, 6, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion).containsExactly(6L);
    }
}
