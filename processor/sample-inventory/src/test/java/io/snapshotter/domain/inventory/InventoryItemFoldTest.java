package io.snapshotter.domain.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.domain.inventory.events.ItemDiscontinued;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockAdjusted;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.events.WarehouseOpened;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.domain.inventory.state.ItemStatus;
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

class InventoryItemFoldTest {

    private static final String ITEM_ID = "item-42";
    private static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");
    private static final Instant T1 = Instant.parse("2024-05-01T09:30:00Z");

    private final InventoryItemFold fold = new InventoryItemFold();

    @Test
    void shouldDeclareAggregateTypeStateTypeAndEventTypes() {
        assertThat(fold.aggregateType()).isEqualTo("InventoryItem")
                .isEqualTo(InventoryItemFold.AGGREGATE_TYPE);
        assertThat(fold.stateType()).isEqualTo(InventoryItemState.class);
        assertThat(fold.eventTypes()).containsExactlyInAnyOrder(ItemRegistered.class, StockReceived.class,
                StockShipped.class, StockAdjusted.class, ItemDiscontinued.class);
    }

    @Test
    void shouldBeRegisteredAsServiceProvider() {
        assertThat(ServiceLoader.load(AggregateFold.class).stream().map(ServiceLoader.Provider::type))
                .contains(InventoryItemFold.class);
    }

    @Test
    void shouldCreateActiveItemWithNoStockOnItemRegistered() {
        InventoryItemState state = fold.apply(null, event(new ItemRegistered("SKU-1", "Widget", "wh-1")));

        assertThat(state).isEqualTo(InventoryItemState.newBuilder()
                .setItemId(ITEM_ID)
                .setSku("SKU-1")
                .setName("Widget")
                .setWarehouseId("wh-1")
                .setQuantityOnHand(0L)
                .setTotalReceived(0L)
                .setTotalShipped(0L)
                .setStatus(ItemStatus.ACTIVE)
                .setDiscontinuedReason(null)
                .setLastUpdated(T1)
                .build());
    }

    @Test
    void shouldAddToQuantityOnHandAndTotalReceivedOnStockReceived() {
        InventoryItemState state = fold.apply(item(10), event(new StockReceived(7, "PO-9")));

        assertThat(state).isEqualTo(itemBuilder(17).setTotalReceived(22L).setLastUpdated(T1).build());
    }

    @Test
    void shouldSubtractFromQuantityOnHandAndAddToTotalShippedOnStockShipped() {
        InventoryItemState state = fold.apply(item(10), event(new StockShipped(4, "order-1")));

        assertThat(state).isEqualTo(itemBuilder(6).setTotalShipped(9L).setLastUpdated(T1).build());
    }

    @Test
    void shouldShipTheWholeQuantityOnHand() {
        InventoryItemState state = fold.apply(item(10), event(new StockShipped(10, "order-1")));

        assertThat(state.getQuantityOnHand()).isZero();
        assertThat(state.getTotalShipped()).isEqualTo(15L);
    }

    @Test
    void shouldChangeOnlyQuantityOnHandOnPositiveStockAdjusted() {
        InventoryItemState state = fold.apply(item(10), event(new StockAdjusted(3, "found in recount")));

        assertThat(state).isEqualTo(itemBuilder(13).setLastUpdated(T1).build());
    }

    @Test
    void shouldChangeOnlyQuantityOnHandOnNegativeStockAdjusted() {
        InventoryItemState state = fold.apply(item(10), event(new StockAdjusted(-10, "damaged")));

        assertThat(state).isEqualTo(itemBuilder(0).setLastUpdated(T1).build());
    }

    @Test
    void shouldMarkItemDiscontinuedWithReasonOnItemDiscontinued() {
        InventoryItemState state = fold.apply(item(10), event(new ItemDiscontinued("end of line")));

        assertThat(state).isEqualTo(itemBuilder(10)
                .setStatus(ItemStatus.DISCONTINUED)
                .setDiscontinuedReason("end of line")
                .setLastUpdated(T1)
                .build());
    }

    @Test
    void shouldFoldAWholeHistory() {
        InventoryItemState state = null;
        for (SpecificRecord payload : new SpecificRecord[] {
                new ItemRegistered("SKU-1", "Widget", "wh-1"),
                new StockReceived(20, "PO-1"),
                new StockShipped(8, "order-1"),
                new StockAdjusted(-2, "damaged"),
                new StockReceived(5, "PO-2"),
                new ItemDiscontinued("end of line")}) {
            state = fold.apply(state, event(payload));
        }

        assertThat(state.getQuantityOnHand()).isEqualTo(15L);
        assertThat(state.getTotalReceived()).isEqualTo(25L);
        assertThat(state.getTotalShipped()).isEqualTo(8L);
        assertThat(state.getStatus()).isEqualTo(ItemStatus.DISCONTINUED);
    }

    @Test
    void shouldLeaveTheInputStateUnchanged() {
        InventoryItemState state = item(10);
        InventoryItemState copy = InventoryItemState.newBuilder(state).build();

        InventoryItemState next = fold.apply(state, event(new StockShipped(4, "order-1")));
        fold.apply(state, event(new ItemDiscontinued("end of line")));

        assertThat(state).isEqualTo(copy);
        assertThat(next).isNotSameAs(state);
    }

    static Stream<SpecificRecord> nonCreationEvents() {
        return Stream.of(new StockReceived(1, "PO-1"), new StockShipped(1, "order-1"),
                new StockAdjusted(1, "recount"), new ItemDiscontinued("end of line"));
    }

    @ParameterizedTest
    @MethodSource("nonCreationEvents")
    void shouldRejectAFirstEventOtherThanItemRegistered(SpecificRecord payload) {
        assertThatThrownBy(() -> fold.apply(null, event(payload)))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining(payload.getClass().getSimpleName() + " before ItemRegistered");
    }

    @Test
    void shouldRejectItemRegisteredOnAnExistingItem() {
        assertThatThrownBy(() -> fold.apply(item(10), event(new ItemRegistered("SKU-1", "Widget", "wh-1"))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining("already registered");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -5})
    void shouldRejectANonPositiveReceivedQuantity(int quantity) {
        assertThatThrownBy(() -> fold.apply(item(10), event(new StockReceived(quantity, "PO-1"))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining("StockReceived quantity must be > 0, was " + quantity);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -5})
    void shouldRejectANonPositiveShippedQuantity(int quantity) {
        assertThatThrownBy(() -> fold.apply(item(10), event(new StockShipped(quantity, "order-1"))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining("StockShipped quantity must be > 0, was " + quantity);
    }

    @Test
    void shouldRejectShippingMoreThanOnHand() {
        assertThatThrownBy(() -> fold.apply(item(10), event(new StockShipped(11, "order-1"))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining("cannot ship 11, only 10 on hand");
    }

    @Test
    void shouldRejectAZeroAdjustment() {
        assertThatThrownBy(() -> fold.apply(item(10), event(new StockAdjusted(0, "recount"))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining("StockAdjusted delta must not be 0");
    }

    @Test
    void shouldRejectAnAdjustmentThatWouldMakeTheQuantityNegative() {
        assertThatThrownBy(() -> fold.apply(item(10), event(new StockAdjusted(-11, "damaged"))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining("adjustment of -11 would make the quantity on hand negative");
    }

    @ParameterizedTest
    @MethodSource("nonCreationEvents")
    void shouldRejectAnyEventOnADiscontinuedItem(SpecificRecord payload) {
        InventoryItemState discontinued = itemBuilder(10)
                .setStatus(ItemStatus.DISCONTINUED)
                .setDiscontinuedReason("end of line")
                .build();

        assertThatThrownBy(() -> fold.apply(discontinued, event(payload)))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining(payload.getClass().getSimpleName() + " on a discontinued item");
    }

    @Test
    void shouldRejectAnUnsupportedEventType() {
        assertThatThrownBy(() -> fold.apply(item(10), event(new WarehouseOpened("Main", "Berlin", 100))))
                .isInstanceOf(FoldRejectedException.class)
                .hasMessageContaining("InventoryItem item-42")
                .hasMessageContaining("unsupported event type " + WarehouseOpened.class.getName());
    }

    /** The fold returns a new state and leaves the one it was given as it was, whatever the event. */
    @ParameterizedTest
    @MethodSource("changingEvents")
    void shouldLeaveTheGivenStateAsItWas(SpecificRecord payload) {
        InventoryItemState given = item(10);

        InventoryItemState next = fold.apply(given, event(payload));

        assertThat(next).isNotSameAs(given).isNotEqualTo(item(10));
        assertThat(given).isEqualTo(item(10));
    }

    static Stream<SpecificRecord> changingEvents() {
        return Stream.of(new StockReceived(3, "PO-1"), new StockShipped(2, "SO-1"), new StockAdjusted(-1, "count"),
                new ItemDiscontinued("end of line"));
    }

    private static DomainEvent event(SpecificRecord payload) {
        return new DomainEvent("evt-1", ITEM_ID, 2, T1, payload);
    }

    /** An active item with {@code onHand} units, 15 received and 5 shipped so far, last updated at T0. */
    private static InventoryItemState.Builder itemBuilder(long onHand) {
        return InventoryItemState.newBuilder()
                .setItemId(ITEM_ID)
                .setSku("SKU-1")
                .setName("Widget")
                .setWarehouseId("wh-1")
                .setQuantityOnHand(onHand)
                .setTotalReceived(15L)
                .setTotalShipped(5L)
                .setStatus(ItemStatus.ACTIVE)
                .setDiscontinuedReason(null)
                .setLastUpdated(T0);
    }

    private static InventoryItemState item(long onHand) {
        return itemBuilder(onHand).build();
    }
}
