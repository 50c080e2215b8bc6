package io.snapshotter.domain.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.WarehouseCapacityChanged;
import io.snapshotter.domain.inventory.events.WarehouseClosed;
import io.snapshotter.domain.inventory.events.WarehouseOpened;
import io.snapshotter.domain.inventory.state.WarehouseState;
import io.snapshotter.domain.inventory.state.WarehouseStatus;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.fold.FoldRejectedException;
import java.time.Instant;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class WarehouseFoldTest {

    private static final String WAREHOUSE_ID = "wh-7";
    private static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");
    private static final Instant T1 = Instant.parse("2024-05-01T09:30:00Z");

    private final WarehouseFold fold = new WarehouseFold();

    @Test
    void shouldDeclareAggregateTypeStateTypeAndEventTypes() {
        assertThat(fold.aggregateType()).isEqualTo("Warehouse").isEqualTo(WarehouseFold.AGGREGATE_TYPE);
        assertThat(fold.stateType()).isEqualTo(WarehouseState.class);
        assertThat(fold.eventTypes()).containsExactlyInAnyOrder(WarehouseOpened.class,
                WarehouseCapacityChanged.class, WarehouseClosed.class);
    }

    @Test
    void shouldBeRegisteredAsServiceProvider() {
        assertThat(ServiceLoader.load(AggregateFold.class).stream().map(ServiceLoader.Provider::type))
                .contains(WarehouseFold.class);
    }

    @Test
    void shouldCreateOpenWarehouseOnWarehouseOpened() {
        WarehouseState state = fold.apply(null, event(new WarehouseOpened("Main", "Berlin", 500)));

        assertThat(state).isEqualTo(WarehouseState.newBuilder()
                .setWarehouseId(WAREHOUSE_ID)
                .setName("Main")
                .setLocation("Berlin")
                .setCapacity(500)
                .setStatus(WarehouseStatus.OPEN)
                .setClosedReason(null)
                .setOpenedAt(T1)
                .setLastUpdated(T1)
                .build());
    }

    @Test
    void shouldSetCapacityOnWarehouseCapacityChanged() {
        WarehouseState state = fold.apply(warehouse(), event(new WarehouseCapacityChanged(750)));

        assertThat(state).isEqualTo(warehouseBuilder().setCapacity(750).setLastUpdated(T1).build());
    }

    @Test
    void shouldMarkWarehouseClosedWithReasonOnWarehouseClosed() {
        WarehouseState state = fold.apply(warehouse(), event(new WarehouseClosed("lease ended")));

        assertThat(state).isEqualTo(warehouseBuilder()
                .setStatus(WarehouseStatus.CLOSED)
                .setClosedReason("lease ended")
                .setLastUpdated(T1)
                .build());
    }

    @Test
    void shouldKeepOpenedAtFromTheWarehouseOpenedEvent() {
        WarehouseState opened = fold.apply(null, new DomainEvent("evt-1", WAREHOUSE_ID, 1, T0,
                new WarehouseOpened("Main", "Berlin", 500)));
        WarehouseState changed = fold.apply(opened, event(new WarehouseCapacityChanged(600)));

        assertThat(changed.getOpenedAt()).isEqualTo(T0);
        assertThat(changed.getLastUpdated()).isEqualTo(T1);
    }

    @Test
    void shouldLeaveTheInputStateUnchanged() {
        WarehouseState state = warehouse();
        WarehouseState copy = WarehouseState.newBuilder(state).build();

        WarehouseState next = fold.apply(state, event(new WarehouseCapacityChanged(750)));
        fold.apply(state, event(new WarehouseClosed("lease ended")));

        assertThat(state).isEqualTo(copy);
        assertThat(next).isNotSameAs(state);
    }

    static Stream<SpecificRecord> nonCreationEvents() {
        return Stream.of(new WarehouseCapacityChanged(100), new WarehouseClosed("lease ended"));
    }

    @ParameterizedTest
    @MethodSource("nonCreationEvents")
    void shouldRejectAFirstEventOtherThanWarehouseOpened(SpecificRecord payload) {
        assertThatThrownBy(() -> fold.apply(null, event(payload)))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("Warehouse wh-7")
                .hasMessageContaining(payload.getClass().getSimpleName() + " before WarehouseOpened");
    }

    @Test
    void shouldRejectWarehouseOpenedOnAnExistingWarehouse() {
        assertThatThrownBy(() -> fold.apply(warehouse(), event(new WarehouseOpened("Main", "Berlin", 500))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("Warehouse wh-7")
                .hasMessageContaining("already opened");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void shouldRejectANonPositiveCapacityOnWarehouseOpened(int capacity) {
        assertThatThrownBy(() -> fold.apply(null, event(new WarehouseOpened("Main", "Berlin", capacity))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("Warehouse wh-7")
                .hasMessageContaining("WarehouseOpened capacity must be > 0, was " + capacity);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void shouldRejectANonPositiveCapacityOnWarehouseCapacityChanged(int capacity) {
        assertThatThrownBy(() -> fold.apply(warehouse(), event(new WarehouseCapacityChanged(capacity))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("Warehouse wh-7")
                .hasMessageContaining("WarehouseCapacityChanged capacity must be > 0, was " + capacity);
    }

    @ParameterizedTest
    @MethodSource("nonCreationEvents")
    void shouldRejectAnyEventOnAClosedWarehouse(SpecificRecord payload) {
        WarehouseState closed = warehouseBuilder()
                .setStatus(WarehouseStatus.CLOSED)
                .setClosedReason("lease ended")
                .build();

        assertThatThrownBy(() -> fold.apply(closed, event(payload)))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("Warehouse wh-7")
                .hasMessageContaining(payload.getClass().getSimpleName() + " on a closed warehouse");
    }

    @Test
    void shouldRejectAnUnsupportedEventType() {
        assertThatThrownBy(() -> fold.apply(warehouse(), event(new StockReceived(5, "PO-1"))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("Warehouse wh-7")
                .hasMessageContaining("unsupported event type " + StockReceived.class.getName());
    }

    private static DomainEvent event(SpecificRecord payload) {
        return new DomainEvent("evt-2", WAREHOUSE_ID, 2, T1, payload);
    }

    /** An open warehouse with capacity 500, opened and last updated at T0. */
    private static WarehouseState.Builder warehouseBuilder() {
        return WarehouseState.newBuilder()
                .setWarehouseId(WAREHOUSE_ID)
                .setName("Main")
                .setLocation("Berlin")
                .setCapacity(500)
                .setStatus(WarehouseStatus.OPEN)
                .setClosedReason(null)
                .setOpenedAt(T0)
                .setLastUpdated(T0);
    }

    private static WarehouseState warehouse() {
        return warehouseBuilder().build();
    }
}
