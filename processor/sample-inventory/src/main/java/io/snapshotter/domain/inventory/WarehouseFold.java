package io.snapshotter.domain.inventory;

import io.snapshotter.domain.inventory.events.WarehouseCapacityChanged;
import io.snapshotter.domain.inventory.events.WarehouseClosed;
import io.snapshotter.domain.inventory.events.WarehouseOpened;
import io.snapshotter.domain.inventory.state.WarehouseState;
import io.snapshotter.domain.inventory.state.WarehouseStatus;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.fold.FoldRejectedException;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * Folds the events of a warehouse: opening, capacity changes and closing. The capacity is always
 * positive, and a closed warehouse accepts no further events.
 */
public final class WarehouseFold implements AggregateFold<WarehouseState> {

    public static final String AGGREGATE_TYPE = "Warehouse";

    private static final Set<Class<? extends SpecificRecord>> EVENT_TYPES = Set.of(
            WarehouseOpened.class, WarehouseCapacityChanged.class, WarehouseClosed.class);

    @Override
    public String aggregateType() {
        return AGGREGATE_TYPE;
    }

    @Override
    public Class<WarehouseState> stateType() {
        return WarehouseState.class;
    }

    @Override
    public Set<Class<? extends SpecificRecord>> eventTypes() {
        return EVENT_TYPES;
    }

    @Override
    public WarehouseState apply(WarehouseState state, DomainEvent event) {
        SpecificRecord payload = event.payload();
        if (payload instanceof WarehouseOpened opened) {
            return open(state, opened, event);
        }
        if (payload instanceof WarehouseCapacityChanged changed) {
            return changeCapacity(requireOpen(state, event), changed, event);
        }
        if (payload instanceof WarehouseClosed closed) {
            return close(requireOpen(state, event), closed, event);
        }
        throw rejected(event, "unsupported event type " + payload.getClass().getName());
    }

    private static WarehouseState open(WarehouseState state, WarehouseOpened opened, DomainEvent event) {
        if (state != null) {
            throw rejected(event, "WarehouseOpened on a warehouse that is already opened");
        }
        requirePositiveCapacity(opened.getCapacity(), event);
        return WarehouseState.newBuilder()
                .setWarehouseId(event.aggregateId())
                .setName(opened.getName())
                .setLocation(opened.getLocation())
                .setCapacity(opened.getCapacity())
                .setStatus(WarehouseStatus.OPEN)
                .setClosedReason(null)
                .setOpenedAt(event.timestamp())
                .setLastUpdated(event.timestamp())
                .build();
    }

    private static WarehouseState changeCapacity(WarehouseState state, WarehouseCapacityChanged changed,
                                                 DomainEvent event) {
        requirePositiveCapacity(changed.getCapacity(), event);
        return WarehouseState.newBuilder(state)
                .setCapacity(changed.getCapacity())
                .setLastUpdated(event.timestamp())
                .build();
    }

    private static WarehouseState close(WarehouseState state, WarehouseClosed closed, DomainEvent event) {
        return WarehouseState.newBuilder(state)
                .setStatus(WarehouseStatus.CLOSED)
                .setClosedReason(closed.getReason())
                .setLastUpdated(event.timestamp())
                .build();
    }

    /** The state, if the warehouse exists and is still open; otherwise the event is rejected. */
    private static WarehouseState requireOpen(WarehouseState state, DomainEvent event) {
        String eventType = event.payload().getClass().getSimpleName();
        if (state == null) {
            throw rejected(event, eventType + " before WarehouseOpened");
        }
        if (state.getStatus() == WarehouseStatus.CLOSED) {
            throw rejected(event, eventType + " on a closed warehouse");
        }
        return state;
    }

    private static void requirePositiveCapacity(int capacity, DomainEvent event) {
        if (capacity <= 0) {
            throw rejected(event, event.payload().getClass().getSimpleName()
                    + " capacity must be > 0, was " + capacity);
        }
    }

    private static FoldRejectedException rejected(DomainEvent event, String problem) {
        return new FoldRejectedException(AGGREGATE_TYPE + " " + event.aggregateId() + ": " + problem);
    }
}
