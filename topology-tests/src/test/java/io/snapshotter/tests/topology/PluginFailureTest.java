package io.snapshotter.tests.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.domain.inventory.state.ItemStatus;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.SnapshotProgress;
import io.snapshotter.test.counter.CounterIncremented;
import io.snapshotter.test.counter.CounterState;
import io.snapshotter.testkit.FoldTestDriver;
import io.snapshotter.testkit.FoldTestDriver.DeadLetter;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whatever a plugin does wrong rejects the one event that made it, with a reason, and parks its
 * aggregate; other aggregates and later processing go on. Run on the real topology (FoldTestDriver).
 */
class PluginFailureTest {

    /** While set, {@link GadgetFold} refuses increments of 18: a bug, fixed by clearing it. */
    static volatile boolean broken;

    @AfterEach
    void fixed() {
        broken = false;
    }

    /**
     * A Gadget's state is an InventoryItemState whose quantity sums the increments; some increments
     * make it misbehave the way plugins do.
     */
    static final class GadgetFold implements AggregateFold<InventoryItemState> {
        @Override
        public String aggregateType() {
            return "Gadget";
        }

        @Override
        public Class<InventoryItemState> stateType() {
            return InventoryItemState.class;
        }

        @Override
        public Set<Class<? extends SpecificRecord>> eventTypes() {
            return Set.of(CounterIncremented.class);
        }

        @Override
        public InventoryItemState apply(InventoryItemState state, DomainEvent event) {
            int by = ((CounterIncremented) event.payload()).getBy();
            switch (by) {
                case 13 -> throw new AssertionError("unlucky number");
                case 14 -> throw new NoClassDefFoundError("com/acme/Missing");
                case 15 -> {
                    return new InventoryItemState();  // every required string null
                }
                case 18 -> {
                    if (broken) {
                        throw new IllegalStateException("bug #18");
                    }
                }
                default -> {
                }
            }
            long total = (state == null ? 0 : state.getQuantityOnHand()) + by;
            return InventoryItemState.newBuilder().setItemId(event.aggregateId()).setSku("G").setName("gadget")
                .setWarehouseId("w").setQuantityOnHand(total).setTotalReceived(0).setTotalShipped(0)
                .setStatus(ItemStatus.ACTIVE).setLastUpdated(event.timestamp()).build();
        }
    }

    /** Raw-typed, as a careless generic fold is: declares InventoryItemState, returns a CounterState. */
    @SuppressWarnings("rawtypes")
    static final class ShapeShiftingFold implements AggregateFold {
        @Override
        public String aggregateType() {
            return "Shifter";
        }

        @Override
        public Class stateType() {
            return InventoryItemState.class;
        }

        @Override
        public Set<Class<? extends SpecificRecord>> eventTypes() {
            return Set.of(CounterIncremented.class);
        }

        @Override
        public SpecificRecord apply(SpecificRecord state, DomainEvent event) {
            return new CounterState(1L);
        }
    }

    private static DeadLetter onlyDeadLetter(FoldTestDriver driver) {
        assertThat(driver.deadLetters()).hasSize(1);
        return driver.deadLetters().get(0);
    }

    @Test
    void shouldDeadLetterAnErrorThrownByTheFoldAndGoOn() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new GadgetFold())) {
            driver.send("g-1", new CounterIncremented(1));
            driver.send("g-1", new CounterIncremented(13));
            driver.send("g-2", new CounterIncremented(14));
            driver.send("g-3", new CounterIncremented(2));

            assertThat(driver.deadLetters()).extracting(DeadLetter::reason)
                .containsExactly(DeadLetterReason.FOLD_FAILED, DeadLetterReason.FOLD_FAILED);
            assertThat(driver.deadLetters().get(0).error()).contains("AssertionError").contains("unlucky number");
            assertThat(driver.deadLetters().get(1).error()).contains("NoClassDefFoundError");
            assertThat(driver.parked("g-1")).get().extracting(FoldTestDriver.ParkedAt::sequence).isEqualTo(2L);
            assertThat(driver.version("g-3")).isEqualTo(1);
        }
    }

    @Test
    void shouldDeadLetterAStateThatCannotBeEncodedAsStateUnencodable() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new GadgetFold())) {
            driver.send("g-1", new CounterIncremented(1));

            driver.send("g-1", new CounterIncremented(15));

            DeadLetter deadLetter = onlyDeadLetter(driver);
            assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.STATE_UNENCODABLE);
            assertThat(driver.version("g-1")).isEqualTo(1);
            assertThat(driver.state("g-1", InventoryItemState.class).getQuantityOnHand()).isEqualTo(1);
        }
    }

    @Test
    void shouldDeadLetterAStateOfAnotherTypeAsStateUnencodable() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new ShapeShiftingFold())) {
            driver.send("g-1", new CounterIncremented(16));

            DeadLetter deadLetter = onlyDeadLetter(driver);
            assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.STATE_UNENCODABLE);
            assertThat(deadLetter.error()).contains(CounterState.class.getName()).contains("not its state type");
            assertThat(driver.state("g-1", InventoryItemState.class)).isNull();
            assertThat(driver.parked("g-1")).get().extracting(FoldTestDriver.ParkedAt::sequence).isEqualTo(1L);
        }
    }

    @Test
    void shouldRejectAStateAboveSnapshotMaxBytesBeforeWritingAnything() {
        try (FoldTestDriver driver = FoldTestDriver.builder().fold(new InventoryItemFold())
                .setting("snapshot.max.bytes", 1024).setting("snapshot.policy", "count")
                .setting("snapshot.every.events", 1).build()) {
            driver.send("item-1", new ItemRegistered("SKU-1", "small", "wh-1"));

            driver.send("item-2", new ItemRegistered("SKU-2", "x".repeat(2000), "wh-1"));

            DeadLetter deadLetter = onlyDeadLetter(driver);
            assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.STATE_TOO_LARGE);
            assertThat(deadLetter.error()).contains("snapshot.max.bytes=1024");
            assertThat(driver.state("item-2", InventoryItemState.class)).isNull();
            assertThat(driver.snapshots()).extracting(FoldTestDriver.EmittedSnapshot::aggregateId)
                .containsExactly("item-1");
        }
    }

    /** Throws when asked whether a snapshot is due at version 2. */
    public static final class FailingDuePolicy implements SnapshotPolicy {
        @Override
        public boolean isDueAfterEvent(SnapshotProgress progress) {
            if (progress.version() == 2) {
                throw new ArithmeticException("/ by zero");
            }
            return false;
        }

        @Override
        public long timeDue(SnapshotProgress progress) {
            return NEVER;
        }
    }

    /** Throws when asked when pending events fall due. */
    public static final class FailingTimePolicy implements SnapshotPolicy {
        @Override
        public boolean isDueAfterEvent(SnapshotProgress progress) {
            return false;
        }

        @Override
        public long timeDue(SnapshotProgress progress) {
            throw new UnsupportedOperationException("no clock here");
        }
    }

    @Test
    void shouldDeadLetterAnEventWhosePolicyThrowsAsPolicyFailed() {
        try (FoldTestDriver driver = FoldTestDriver.builder().fold(new GadgetFold())
                .setting("snapshot.policy", "custom").setting("snapshot.policy.class", FailingDuePolicy.class.getName())
                .build()) {
            driver.send("g-1", new CounterIncremented(1));
            driver.send("g-1", new CounterIncremented(1));

            DeadLetter deadLetter = onlyDeadLetter(driver);
            assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.POLICY_FAILED);
            assertThat(deadLetter.error()).contains(FailingDuePolicy.class.getName()).contains("/ by zero");
            assertThat(driver.version("g-1")).isEqualTo(1);
        }
        try (FoldTestDriver driver = FoldTestDriver.builder().fold(new GadgetFold())
                .setting("snapshot.policy", "custom").setting("snapshot.policy.class", FailingTimePolicy.class.getName())
                .build()) {
            driver.send("g-1", new CounterIncremented(1));

            DeadLetter deadLetter = onlyDeadLetter(driver);
            assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.POLICY_FAILED);
            assertThat(deadLetter.error()).contains("no clock here");
            assertThat(driver.version("g-1")).isZero();
        }
    }

    @Test
    void shouldFoldTheReDrivenEventsOnceTheFoldIsFixedAndChangeNothingTheSecondTime() {
        broken = true;
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new GadgetFold())) {
            driver.send("g-1", new CounterIncremented(1));
            driver.send("g-1", 2, driver.now(), new CounterIncremented(18));
            driver.send("g-1", 3, driver.now(), new CounterIncremented(3));
            assertThat(driver.deadLetters()).extracting(DeadLetter::reason)
                .containsExactly(DeadLetterReason.FOLD_FAILED, DeadLetterReason.AGGREGATE_PARKED);
            assertThat(driver.version("g-1")).isEqualTo(1);

            broken = false;  // the fixed fold is deployed; the dead letters are re-driven in order
            for (int pass = 0; pass < 2; pass++) {
                driver.send("g-1", 2, driver.now(), new CounterIncremented(18));
                driver.send("g-1", 3, driver.now(), new CounterIncremented(3));
            }

            assertThat(driver.parked("g-1")).isEmpty();
            assertThat(driver.version("g-1")).isEqualTo(3);
            assertThat(driver.state("g-1", InventoryItemState.class).getQuantityOnHand()).isEqualTo(22);
            assertThat(driver.deadLetters()).hasSize(2);
        }
    }
}
