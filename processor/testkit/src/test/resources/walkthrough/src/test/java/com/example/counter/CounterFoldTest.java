package com.example.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.testkit.FoldTestDriver;
import io.snapshotter.testkit.FoldTestDriver.EmittedSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class CounterFoldTest {

    @Test
    void shouldAddUpTheIncrements() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new CounterFold())) {
            driver.send("counter-1", new CounterIncremented(5));
            driver.send("counter-1", new CounterIncremented(7));

            assertEquals(12L, driver.state("counter-1", CounterState.class).getTotal());
            assertEquals(2L, driver.version("counter-1"));
        }
    }

    @Test
    void shouldSnapshotEveryTwoEvents() {
        try (FoldTestDriver driver = FoldTestDriver.builder()
                .fold(new CounterFold())
                .setting("snapshot.policy", "count")
                .setting("snapshot.every.events", "2")
                .build()) {
            driver.send("counter-1", new CounterIncremented(5));
            driver.send("counter-1", new CounterIncremented(7));
            driver.send("counter-1", new CounterIncremented(1));

            List<EmittedSnapshot> snapshots = driver.snapshots();
            assertEquals(1, snapshots.size());
            assertEquals(2L, snapshots.get(0).version());
            assertEquals(12L, snapshots.get(0).state(CounterState.class).getTotal());
        }
    }

    @Test
    void shouldDeadLetterAnIncrementBelowOne() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new CounterFold())) {
            driver.send("counter-1", new CounterIncremented(5));
            driver.send("counter-1", new CounterIncremented(0));

            assertEquals(DeadLetterReason.FOLD_FAILED, driver.deadLetters().get(0).reason());
            assertEquals(5L, driver.state("counter-1", CounterState.class).getTotal());
            assertEquals(1L, driver.version("counter-1"));
        }
    }
}
