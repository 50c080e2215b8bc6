package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.WAREHOUSE;
import static io.snapshotter.tests.topology.TopologyFixture.referenceFold;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.WarehouseFold;
import io.snapshotter.domain.inventory.events.ItemDiscontinued;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockAdjusted;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.events.WarehouseCapacityChanged;
import io.snapshotter.domain.inventory.events.WarehouseClosed;
import io.snapshotter.domain.inventory.events.WarehouseOpened;
import io.snapshotter.fold.AggregateFold;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.topology.FoldMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A seeded random but valid stream of 2000 events over 50 inventory items and 5 warehouses, with
 * duplicates (earlier events sent again) mixed in, against the folds applied directly.
 */
class ReferenceFoldTest {

    private static final int EVENTS = 2_000;
    private static final int ITEMS = 50;
    private static final int WAREHOUSES = 5;
    private static final double DUPLICATE_RATE = 0.03;

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    private TopologyFixture fixture;
    /** Every aggregate's events in sequence order, each once. */
    private final Map<String, List<DomainEvent>> history = new LinkedHashMap<>();
    private final Map<String, String> types = new LinkedHashMap<>();
    private int duplicatesSent;

    @BeforeEach
    void pipeTheStream() {
        fixture = fixtures.start(settings());
        StreamGenerator generator = new StreamGenerator(new Random(20240501));
        for (int i = 0; i < EVENTS; i++) {
            long timestamp = T0 + i * 1_000L;
            if (generator.random.nextDouble() < DUPLICATE_RATE && !history.isEmpty()) {
                resendAnEarlierEvent(generator.random);
                continue;
            }
            String aggregateId = generator.pickLiveAggregate();
            long sequence = history.getOrDefault(aggregateId, List.of()).size() + 1;
            SpecificRecord payload = generator.nextEvent(aggregateId);
            types.put(aggregateId, generator.typeOf(aggregateId));
            history.computeIfAbsent(aggregateId, id -> new ArrayList<>())
                .add(fixture.send(types.get(aggregateId), aggregateId, sequence, timestamp, payload));
        }
    }

    /** The processor's settings for the stream: count snapshots every 7 events. */
    Map<String, String> settings() {
        return Map.of("snapshot.policy", "count", "snapshot.every.events", "7");
    }

    @Test
    void shouldHoldTheReferenceFoldOfTheInputForEveryAggregate() {
        List<KeyValue<String, AggregateRecord>> stored = fixture.allAggregates();

        assertThat(stored).extracting(kv -> kv.key).containsExactlyInAnyOrderElementsOf(history.keySet());
        for (KeyValue<String, AggregateRecord> entry : stored) {
            List<DomainEvent> events = history.get(entry.key);
            DomainEvent last = events.get(events.size() - 1);
            AggregateRecord record = entry.value;
            assertThat(record.getAggregateType()).as(entry.key).isEqualTo(types.get(entry.key));
            assertThat(record.getVersion()).as(entry.key).isEqualTo(last.sequence());
            assertThat(record.getLastEventId()).as(entry.key).isEqualTo(last.eventId());
            assertThat(fixture.stateOf(record, foldOf(entry.key).stateType())).as(entry.key)
                .isEqualTo(referenceFold(foldOf(entry.key), events));
        }
        assertThat(fixture.readDeadLetters()).isEmpty();
        assertThat(fixture.count(FoldMetrics.DUPLICATES_SKIPPED)).isEqualTo(duplicatesSent).isPositive();
        assertThat(fixture.count(FoldMetrics.EVENTS_FOLDED)).isEqualTo(EVENTS - duplicatesSent);
    }

    @Test
    void shouldSnapshotTheReferenceFoldOfTheInputUpToEachSnapshotsVersion() {
        List<Snapshot> snapshots = fixture.readSnapshots();

        long expected = history.values().stream().mapToLong(events -> events.size() / 7).sum();
        assertThat(snapshots).hasSize((int) expected);
        for (Snapshot snapshot : snapshots) {
            String id = snapshot.getAggregateId();
            List<DomainEvent> upToVersion = history.get(id).subList(0, (int) snapshot.getVersion());
            assertThat(snapshot.getLastEventId()).as(id).isEqualTo(upToVersion.get(upToVersion.size() - 1).eventId());
            assertThat(fixture.stateOf(snapshot, foldOf(id).stateType())).as(id + " at " + snapshot.getVersion())
                .isEqualTo(referenceFold(foldOf(id), upToVersion));
        }
    }

    private void resendAnEarlierEvent(Random random) {
        List<String> ids = new ArrayList<>(history.keySet());
        String aggregateId = ids.get(random.nextInt(ids.size()));
        List<DomainEvent> events = history.get(aggregateId);
        DomainEvent earlier = events.get(random.nextInt(events.size()));
        fixture.send(types.get(aggregateId), aggregateId, earlier.sequence(), earlier.timestamp().toEpochMilli(),
            earlier.payload());
        duplicatesSent++;
    }

    @SuppressWarnings("unchecked")
    private AggregateFold<SpecificRecord> foldOf(String aggregateId) {
        AggregateFold<?> fold = types.get(aggregateId).equals(ITEM) ? new InventoryItemFold() : new WarehouseFold();
        return (AggregateFold<SpecificRecord>) fold;
    }

    /**
     * Picks aggregates at random and gives each a next event that is valid for it, tracking just
     * enough of each aggregate to stay valid (stock on hand, whether it still takes events).
     */
    private static final class StreamGenerator {

        final Random random;
        private final List<String> live = new ArrayList<>();
        private final Map<String, Long> onHand = new LinkedHashMap<>();

        StreamGenerator(Random random) {
            this.random = random;
            for (int i = 1; i <= WAREHOUSES; i++) {
                live.add("wh-" + i);
            }
            for (int i = 1; i <= ITEMS; i++) {
                live.add("item-" + i);
            }
        }

        String pickLiveAggregate() {
            return live.get(random.nextInt(live.size()));
        }

        String typeOf(String aggregateId) {
            return aggregateId.startsWith("wh-") ? WAREHOUSE : ITEM;
        }

        SpecificRecord nextEvent(String aggregateId) {
            boolean created = onHand.containsKey(aggregateId);
            if (typeOf(aggregateId).equals(WAREHOUSE)) {
                if (!created) {
                    onHand.put(aggregateId, 0L);
                    return new WarehouseOpened("Warehouse " + aggregateId, "City " + random.nextInt(20),
                        1 + random.nextInt(10_000));
                }
                if (random.nextInt(100) == 0) {
                    live.remove(aggregateId);
                    return new WarehouseClosed("closed " + random.nextInt(10));
                }
                return new WarehouseCapacityChanged(1 + random.nextInt(10_000));
            }
            if (!created) {
                onHand.put(aggregateId, 0L);
                return new ItemRegistered("SKU-" + aggregateId, "Item " + aggregateId,
                    "wh-" + (1 + random.nextInt(WAREHOUSES)));
            }
            long quantity = onHand.get(aggregateId);
            int choice = random.nextInt(100);
            if (choice == 0) {
                live.remove(aggregateId);
                return new ItemDiscontinued("discontinued " + random.nextInt(10));
            }
            if (choice < 40 && quantity > 0) {
                int shipped = 1 + random.nextInt((int) Math.min(quantity, 50));
                onHand.put(aggregateId, quantity - shipped);
                return new StockShipped(shipped, "order-" + random.nextInt(1_000));
            }
            if (choice < 55) {
                int delta = random.nextBoolean() && quantity > 0
                    ? -(1 + random.nextInt((int) Math.min(quantity, 20))) : 1 + random.nextInt(20);
                onHand.put(aggregateId, quantity + delta);
                return new StockAdjusted(delta, "count " + random.nextInt(10));
            }
            int received = 1 + random.nextInt(50);
            onHand.put(aggregateId, quantity + received);
            return new StockReceived(received, "PO-" + random.nextInt(1_000));
        }
    }
}
