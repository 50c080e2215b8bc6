package io.snapshotter.test.counter;

import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * A test-only aggregate type, plugged in the way a user's own jar would be: its own Avro schemas,
 * this fold, and a {@code META-INF/services/io.snapshotter.fold.AggregateFold} entry.
 */
public final class CounterFold implements AggregateFold<CounterState> {

    public static final String AGGREGATE_TYPE = "Counter";

    @Override
    public String aggregateType() {
        return AGGREGATE_TYPE;
    }

    @Override
    public Class<CounterState> stateType() {
        return CounterState.class;
    }

    @Override
    public Set<Class<? extends SpecificRecord>> eventTypes() {
        return Set.of(CounterIncremented.class);
    }

    @Override
    public CounterState apply(CounterState state, DomainEvent event) {
        long total = state == null ? 0 : state.getTotal();
        return new CounterState(total + ((CounterIncremented) event.payload()).getBy());
    }
}
