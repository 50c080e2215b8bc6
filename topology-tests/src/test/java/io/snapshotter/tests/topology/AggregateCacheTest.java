package io.snapshotter.tests.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.test.counter.CounterIncremented;
import io.snapshotter.test.counter.CounterState;
import io.snapshotter.testkit.FoldTestDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The aggregates store keeps a hot aggregate's state decoded between events, and a fold that changed
 * it before it was rejected does not leave the change behind. On the real topology (FoldTestDriver).
 */
class AggregateCacheTest {

    /**
     * Adds each increment to the state it is given, in place, as a fold may; refuses 13 after it has
     * added it. Records the states it was handed and returned.
     */
    static final class InPlaceCounterFold implements AggregateFold<CounterState> {
        final List<CounterState> given = new ArrayList<>();
        final List<CounterState> returned = new ArrayList<>();
        volatile boolean refuse13 = true;

        @Override
        public String aggregateType() {
            return "InPlaceCounter";
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
            given.add(state);
            int by = ((CounterIncremented) event.payload()).getBy();
            CounterState next = state == null ? new CounterState(0L) : state;
            next.setTotal(next.getTotal() + by);
            if (by == 13 && refuse13) {
                throw new IllegalStateException("13 refused after it was added");
            }
            returned.add(next);
            return next;
        }
    }

    @Test
    void shouldHandTheFoldTheStateItReturnedLastInsteadOfDecodingItAgain() {
        InPlaceCounterFold fold = new InPlaceCounterFold();
        try (FoldTestDriver driver = FoldTestDriver.forFolds(fold)) {
            driver.send("c-1", new CounterIncremented(1));
            driver.send("c-1", new CounterIncremented(2));
            driver.send("c-1", new CounterIncremented(3));

            assertThat(fold.given.get(1)).isSameAs(fold.returned.get(0));
            assertThat(fold.given.get(2)).isSameAs(fold.returned.get(1));
            assertThat(driver.state("c-1", CounterState.class).getTotal()).isEqualTo(6);
        }
    }

    @Test
    void shouldFoldTheRedrivenEventAgainstTheLastAcceptedStateWhenTheRejectedFoldHadChangedItInPlace() {
        InPlaceCounterFold fold = new InPlaceCounterFold();
        try (FoldTestDriver driver = FoldTestDriver.forFolds(fold)) {
            driver.send("c-1", new CounterIncremented(1));
            var rejected = driver.send("c-1", new CounterIncremented(13));
            assertThat(driver.deadLetters()).extracting(FoldTestDriver.DeadLetter::reason)
                .containsExactly(DeadLetterReason.FOLD_FAILED);
            assertThat(driver.state("c-1", CounterState.class).getTotal()).isEqualTo(1);

            // re-driven before the fix: rejected again, the aggregate stays parked where it was
            driver.send("c-1", rejected.sequence(), rejected.timestamp(), new CounterIncremented(13));
            assertThat(driver.deadLetters()).hasSize(2);
            fold.refuse13 = false;
            driver.send("c-1", rejected.sequence(), rejected.timestamp(), new CounterIncremented(13));

            assertThat(driver.parked("c-1")).isEmpty();
            assertThat(driver.state("c-1", CounterState.class).getTotal()).isEqualTo(14);
            assertThat(fold.given.get(3)).isNotSameAs(fold.given.get(2));
        }
    }
}
