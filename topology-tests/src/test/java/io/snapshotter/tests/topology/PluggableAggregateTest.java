package io.snapshotter.tests.topology;

import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.WAREHOUSE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.test.counter.CounterFold;
import io.snapshotter.test.counter.CounterIncremented;
import io.snapshotter.test.counter.CounterState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The test-only Counter aggregate type (schemas in src/test/avro, {@link CounterFold} listed in the
 * test class path's META-INF/services) is picked up by the unchanged topology, next to the shipped
 * inventory folds listed by the processor's own services file.
 */
class PluggableAggregateTest {

    private static final String COUNTER = CounterFold.AGGREGATE_TYPE;

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldFindThePluggedFoldNextToTheShippedOnes() {
        FoldRegistry folds = FoldRegistry.fromClassPath();

        assertThat(folds.all()).extracting(f -> f.fold().aggregateType())
            .containsExactlyInAnyOrder(COUNTER, ITEM, WAREHOUSE);
    }

    @Test
    void shouldFoldAndSnapshotEventsOfThePluggedAggregateType() {
        TopologyFixture fixture = fixtures.start(Map.of("snapshot.policy", "count", "snapshot.every.events", "3"));

        fixture.send(COUNTER, "counter-1", 1, T0, new CounterIncremented(5));
        fixture.send(COUNTER, "counter-1", 2, T0, new CounterIncremented(-2));
        fixture.send(COUNTER, "counter-1", 3, T0, new CounterIncremented(10));
        fixture.send(COUNTER, "counter-1", 4, T0, new CounterIncremented(1));

        List<Snapshot> snapshots = fixture.readSnapshots();
        assertThat(snapshots).extracting(Snapshot::getAggregateId, Snapshot::getAggregateType, Snapshot::getVersion)
            .containsExactly(tuple("counter-1", COUNTER, 3L));
        assertThat(fixture.stateOf(snapshots.get(0), CounterState.class)).isEqualTo(new CounterState(13L));
        assertThat(fixture.stateOf(fixture.aggregate("counter-1"), CounterState.class))
            .isEqualTo(new CounterState(14L));
    }

    @Test
    void shouldKeepFoldingTheShippedAggregateTypesNextToThePluggedOne() {
        TopologyFixture fixture = fixtures.start(Map.of("snapshot.policy", "count", "snapshot.every.events", "3"));

        List<DomainEvent> item = fixture.sendEvents(ITEM, "item-1", 1, 3, T0);
        fixture.sendEvents(WAREHOUSE, "wh-1", 1, 3, T0);
        fixture.send(COUNTER, "counter-1", 1, T0, new CounterIncremented(1));

        List<Snapshot> snapshots = fixture.readSnapshots();
        assertThat(snapshots).extracting(Snapshot::getAggregateId, Snapshot::getAggregateType, Snapshot::getVersion)
            .containsExactly(tuple("item-1", ITEM, 3L), tuple("wh-1", WAREHOUSE, 3L));
        assertThat(fixture.stateOf(snapshots.get(0), InventoryItemState.class))
            .isEqualTo(TopologyFixture.referenceFold(new InventoryItemFold(), item));
        assertThat(fixture.aggregate("counter-1").getAggregateType()).isEqualTo(COUNTER);
    }

    @Test
    void shouldDeadLetterAnInventoryEventSentForThePluggedType() {
        TopologyFixture fixture = fixtures.start(Map.of());

        fixture.send(COUNTER, "counter-1", 1, T0, TopologyFixture.validEvent(ITEM, 1));

        assertThat(fixture.readDeadLetters()).extracting(r -> TopologyFixture.header(r, DeadLetters.REASON))
            .containsExactly(DeadLetterReason.UNKNOWN_EVENT_TYPE.name());
        // parked before its first event: no state, waiting for sequence 1
        assertThat(fixture.aggregate("counter-1").getVersion()).isZero();
        assertThat(fixture.aggregate("counter-1").getState().remaining()).isZero();
        assertThat(fixture.aggregate("counter-1").getParked().getSequence()).isEqualTo(1);
    }
}
