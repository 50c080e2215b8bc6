package com.example.counter;

import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.fold.FoldRejectedException;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/** Adds up a counter's increments; an increment below 1 is rejected (dead-lettered). */
public final class CounterFold implements AggregateFold<CounterState> {

    @Override
    public String aggregateType() {
        return "Counter";
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
        CounterIncremented incremented = (CounterIncremented) event.payload();
        if (incremented.getBy() < 1) {
            throw new FoldRejectedException("Counter " + event.aggregateId() + ": increment must be at least 1, was "
                + incremented.getBy());
        }
        long total = state == null ? 0 : state.getTotal();
        return new CounterState(total + incremented.getBy());
    }
}
