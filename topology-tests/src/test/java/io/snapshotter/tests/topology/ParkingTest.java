package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.header;
import static io.snapshotter.tests.topology.TopologyFixture.referenceFold;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.topology.FoldMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rejected next event parks its aggregate instead of freezing it in silence: later events are held
 * back as AGGREGATE_PARKED, the parked state is on the record and in a gauge, and once the event at
 * the parked sequence folds, re-driving the held ones brings the aggregate to where it would have been.
 */
class ParkingTest {

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    private final List<DomainEvent> good = new ArrayList<>();

    /** item-1 registered and 5 received (version 2), then an event shipping 6 at sequence 3. */
    private TopologyFixture parkedAtThree() {
        TopologyFixture fixture = fixtures.start(Map.of());
        good.add(fixture.send(ITEM, "item-1", 1, T0, new ItemRegistered("SKU-1", "Widget", "wh-1")));
        good.add(fixture.send(ITEM, "item-1", 2, T0, new StockReceived(5, "PO-1")));
        fixture.send(ITEM, "item-1", 3, T0, new StockShipped(6, "order-1"));
        return fixture;
    }

    private static double parkedGauge(TopologyFixture fixture) {
        return fixture.meters.find(FoldMetrics.PARKED).gauges().stream().mapToDouble(g -> g.value()).sum();
    }

    @Test
    void shouldParkTheAggregateAtTheRejectedSequenceAndHoldLaterEventsNamingIt() {
        TopologyFixture fixture = parkedAtThree();

        fixture.send(ITEM, "item-1", 4, T0, new StockReceived(10, "PO-2"));
        fixture.send(ITEM, "item-1", 5, T0, new StockShipped(1, "order-2"));

        AggregateRecord item = fixture.aggregate("item-1");
        assertThat(item.getVersion()).isEqualTo(2);
        assertThat(item.getParked().getSequence()).isEqualTo(3);
        assertThat(item.getParked().getReason()).isEqualTo(DeadLetterReason.FOLD_FAILED.name());
        assertThat(item.getParked().getError()).contains("cannot ship 6, only 5 on hand");
        assertThat(item.getParked().getSourceOffset()).isEqualTo(2);
        assertThat(item.getParked().getEventsHeld()).isEqualTo(2);
        List<TestRecord<byte[], byte[]>> deadLetters = fixture.readDeadLetters();
        assertThat(deadLetters).extracting(r -> header(r, DeadLetters.REASON)).containsExactly(
            DeadLetterReason.FOLD_FAILED.name(), DeadLetterReason.AGGREGATE_PARKED.name(),
            DeadLetterReason.AGGREGATE_PARKED.name());
        assertThat(header(deadLetters.get(1), DeadLetters.ERROR))
            .contains("parked at sequence 3 (FOLD_FAILED: ").contains("sequence 4 waits");
        assertThat(fixture.deadLetterMetric(DeadLetterReason.SEQUENCE_GAP)).isZero();
        assertThat(parkedGauge(fixture)).isEqualTo(1.0);
        assertThat(fixture.stateOf(item, InventoryItemState.class))
            .isEqualTo(referenceFold(new InventoryItemFold(), good));
    }

    @Test
    void shouldUnparkWhenTheParkedSequenceFoldsAndFoldTheReDrivenEventsInOrder() {
        TopologyFixture fixture = parkedAtThree();
        fixture.send(ITEM, "item-1", 4, T0, new StockReceived(10, "PO-2"));
        fixture.send(ITEM, "item-1", 5, T0, new StockShipped(1, "order-2"));
        List<TestRecord<byte[], byte[]>> held = fixture.readDeadLetters().subList(1, 3);

        // the data is fixed: the producer sends a corrected event 3, then the held ones are re-driven
        good.add(fixture.send(ITEM, "item-1", 3, T0, new StockShipped(2, "order-1")));
        assertThat(fixture.aggregate("item-1").getParked()).isNull();
        assertThat(parkedGauge(fixture)).isZero();
        held.forEach(r -> fixture.sendRaw(r.key(), r.value()));

        good.add(TopologyFixture.domainEvent(fixture.envelope(ITEM, "item-1", 4, T0, new StockReceived(10, "PO-2")),
            new StockReceived(10, "PO-2")));
        good.add(TopologyFixture.domainEvent(fixture.envelope(ITEM, "item-1", 5, T0, new StockShipped(1, "order-2")),
            new StockShipped(1, "order-2")));
        AggregateRecord item = fixture.aggregate("item-1");
        assertThat(item.getVersion()).isEqualTo(5);
        assertThat(fixture.stateOf(item, InventoryItemState.class))
            .isEqualTo(referenceFold(new InventoryItemFold(), good));
        assertThat(fixture.readDeadLetters()).isEmpty();

        // re-driving the same dead letters again changes nothing: they are duplicates now
        held.forEach(r -> fixture.sendRaw(r.key(), r.value()));
        assertThat(fixture.aggregate("item-1")).isEqualTo(item);
        assertThat(fixture.readDeadLetters()).isEmpty();
        assertThat(fixture.count(FoldMetrics.DUPLICATES_SKIPPED)).isEqualTo(2.0);
    }

    @Test
    void shouldKeepTheFirstReasonWhenTheParkedEventIsRejectedAgain() {
        TopologyFixture fixture = parkedAtThree();

        fixture.send(ITEM, "item-1", 3, T0, new StockShipped(7, "order-1"));

        AggregateRecord item = fixture.aggregate("item-1");
        assertThat(item.getParked().getError()).contains("cannot ship 6");
        assertThat(fixture.readDeadLetters()).extracting(r -> header(r, DeadLetters.REASON))
            .containsExactly(DeadLetterReason.FOLD_FAILED.name(), DeadLetterReason.FOLD_FAILED.name());
        assertThat(parkedGauge(fixture)).isEqualTo(1.0);
    }

    @Test
    void shouldNotParkOnInputThatIsNotTheAggregatesNextEvent() {
        TopologyFixture fixture = fixtures.start(Map.of());
        fixture.sendEvents(ITEM, "item-1", 1, 2, T0);

        fixture.send(ITEM, "item-1", 5, T0, new StockReceived(1, "PO-9"));  // a gap: event 3 may still come

        assertThat(fixture.aggregate("item-1").getParked()).isNull();
        assertThat(parkedGauge(fixture)).isZero();
        fixture.sendEvents(ITEM, "item-1", 3, 3, T0);
        assertThat(fixture.aggregate("item-1").getVersion()).isEqualTo(3);
    }
}
