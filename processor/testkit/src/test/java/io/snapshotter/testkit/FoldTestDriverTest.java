package io.snapshotter.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.testkit.FoldTestDriver.EmittedSnapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FoldTestDriverTest {

    private static final String ITEM = "item-1";

    @Test
    void shouldFoldEventsIntoStateWithSequencesFilledIn() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new InventoryItemFold())) {
            assertThat(driver.state(ITEM, InventoryItemState.class)).isNull();
            assertThat(driver.version(ITEM)).isZero();

            DomainEvent first = driver.send(ITEM, new ItemRegistered("SKU-1", "Widget", "wh-1"));
            driver.send(ITEM, new StockReceived(10, "PO-1"));
            driver.send(ITEM, new StockReceived(5, "PO-2"));
            DomainEvent last = driver.send(ITEM, new StockShipped(3, "order-1"));

            InventoryItemState state = driver.state(ITEM, InventoryItemState.class);
            assertThat(state.getQuantityOnHand()).isEqualTo(12);
            assertThat(state.getTotalReceived()).isEqualTo(15);
            assertThat(state.getTotalShipped()).isEqualTo(3);
            assertThat(state.getLastUpdated()).isEqualTo(FoldTestDriver.START);
            assertThat(driver.version(ITEM)).isEqualTo(4);
            assertThat(first.sequence()).isEqualTo(1);
            assertThat(last.sequence()).isEqualTo(4);
            assertThat(driver.deadLetters()).isEmpty();
        }
    }

    @Test
    void shouldEmitCountSnapshotAtEveryNthEvent() {
        try (FoldTestDriver driver = FoldTestDriver.builder()
                .fold(new InventoryItemFold())
                .setting("snapshot.policy", "count")
                .setting("snapshot.every.events", "2")
                .build()) {
            driver.send(ITEM, new ItemRegistered("SKU-1", "Widget", "wh-1"));
            assertThat(driver.snapshots()).isEmpty();
            driver.send(ITEM, new StockReceived(10, "PO-1"));
            driver.send(ITEM, new StockReceived(5, "PO-2"));

            List<EmittedSnapshot> snapshots = driver.snapshots();
            assertThat(snapshots).hasSize(1);
            EmittedSnapshot snapshot = snapshots.get(0);
            assertThat(snapshot.aggregateId()).isEqualTo(ITEM);
            assertThat(snapshot.aggregateType()).isEqualTo(InventoryItemFold.AGGREGATE_TYPE);
            assertThat(snapshot.version()).isEqualTo(2);
            assertThat(snapshot.reason()).isEqualTo(SnapshotReason.COUNT);
            assertThat(snapshot.state(InventoryItemState.class).getQuantityOnHand()).isEqualTo(10);

            driver.send(ITEM, new StockReceived(1, "PO-3"));
            assertThat(driver.snapshots()).extracting(EmittedSnapshot::version).containsExactly(2L, 4L);
        }
    }

    @Test
    void shouldTakeTimeSnapshotWhenTheClockAdvances() {
        try (FoldTestDriver driver = FoldTestDriver.builder()
                .fold(new InventoryItemFold())
                .setting("snapshot.policy", "time")
                .setting("snapshot.every.ms", 60_000L)
                .build()) {
            driver.send(ITEM, new ItemRegistered("SKU-1", "Widget", "wh-1"));
            driver.advanceTime(Duration.ofSeconds(30));
            assertThat(driver.snapshots()).isEmpty();

            driver.advanceTime(Duration.ofSeconds(31));

            assertThat(driver.snapshots()).singleElement().satisfies(s -> {
                assertThat(s.reason()).isEqualTo(SnapshotReason.TIME);
                assertThat(s.version()).isEqualTo(1);
            });
            assertThat(driver.now()).isEqualTo(FoldTestDriver.START.plusSeconds(61));
        }
    }

    @Test
    void shouldDeadLetterRejectedEventAsFoldFailedAndKeepState() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new InventoryItemFold())) {
            driver.send(ITEM, new ItemRegistered("SKU-1", "Widget", "wh-1"));
            driver.send(ITEM, new StockReceived(10, "PO-1"));

            driver.send(ITEM, new StockShipped(50, "order-1"));

            assertThat(driver.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.key()).isEqualTo(ITEM);
                assertThat(d.reason()).isEqualTo(DeadLetterReason.FOLD_FAILED);
                assertThat(d.error()).contains("cannot ship 50, only 10 on hand");
            });
            assertThat(driver.state(ITEM, InventoryItemState.class).getQuantityOnHand()).isEqualTo(10);
            assertThat(driver.version(ITEM)).isEqualTo(2);

            // the next event takes the sequence the rejected one could not
            assertThat(driver.send(ITEM, new StockShipped(4, "order-2")).sequence()).isEqualTo(3);
            assertThat(driver.state(ITEM, InventoryItemState.class).getQuantityOnHand()).isEqualTo(6);
        }
    }

    @Test
    void shouldSkipDuplicateSequence() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new InventoryItemFold())) {
            driver.send(ITEM, new ItemRegistered("SKU-1", "Widget", "wh-1"));
            driver.send(ITEM, new StockReceived(10, "PO-1"));

            driver.send(ITEM, 2, driver.now(), new StockReceived(99, "PO-1-again"));

            assertThat(driver.state(ITEM, InventoryItemState.class).getQuantityOnHand()).isEqualTo(10);
            assertThat(driver.version(ITEM)).isEqualTo(2);
            assertThat(driver.deadLetters()).isEmpty();
        }
    }

    @Test
    void shouldDeadLetterSequenceGap() {
        try (FoldTestDriver driver = FoldTestDriver.forFolds(new InventoryItemFold())) {
            driver.send(ITEM, new ItemRegistered("SKU-1", "Widget", "wh-1"));

            driver.send(ITEM, 5, driver.now(), new StockReceived(10, "PO-5"));

            assertThat(driver.deadLetters()).extracting(FoldTestDriver.DeadLetter::reason)
                .containsExactly(DeadLetterReason.SEQUENCE_GAP);
            assertThat(driver.version(ITEM)).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseSettingThatIsNotTheTopologys() {
        assertThatThrownBy(() -> FoldTestDriver.builder().setting("kafka.num.stream.threads", "2"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("kafka.num.stream.threads");
    }
}
