package io.snapshotter.domain.inventory;

import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockAdjusted;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.events.WarehouseCapacityChanged;
import io.snapshotter.domain.inventory.events.WarehouseOpened;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * An endless, seeded stream of valid inventory events over a fixed set of items and warehouses:
 * every aggregate starts with its creation event, sequences run 1, 2, 3 ... without gaps, and no
 * shipment exceeds the stock on hand. The same seed gives the same stream.
 */
public final class SampleInventoryStream {

    /** One generated event, with what its envelope needs. */
    public record SampleEvent(String eventId, String aggregateType, String aggregateId, long sequence,
                              Instant timestamp, SpecificRecord payload) {
    }

    private final Random random;
    private final int items;
    private final int warehouses;
    private final long[] sequences;
    private final long[] onHand;
    private final long stepMs;
    private long clock;

    /**
     * @param items      number of InventoryItem aggregates ({@code item-00000} ...)
     * @param warehouses number of Warehouse aggregates ({@code warehouse-000} ...)
     * @param start      timestamp of the first event
     * @param stepMs     time between consecutive events
     */
    public SampleInventoryStream(long seed, int items, int warehouses, Instant start, long stepMs) {
        this.random = new Random(seed);
        this.items = items;
        this.warehouses = warehouses;
        this.sequences = new long[items + warehouses];
        this.onHand = new long[items];
        this.clock = start.toEpochMilli();
        this.stepMs = stepMs;
    }

    public static String itemId(int i) {
        return String.format("item-%05d", i);
    }

    public static String warehouseId(int w) {
        return String.format("warehouse-%03d", w);
    }

    /** The next event of an aggregate drawn uniformly. */
    public SampleEvent next() {
        return next(random.nextInt(aggregates()));
    }

    /** Items and warehouses: the aggregate indexes {@link #next(int)} takes. */
    public int aggregates() {
        return items + warehouses;
    }

    /**
     * The next event of the aggregate at {@code index}, 0 to {@link #aggregates()} - 1: the items first
     * ({@code item-<index>}), then the warehouses. For a stream whose caller picks the aggregates (a skewed
     * one); each aggregate's sequence still runs 1, 2, 3 ...
     */
    public SampleEvent next(int index) {
        if (index < 0 || index >= aggregates()) {
            throw new IndexOutOfBoundsException("aggregate " + index + " of " + aggregates());
        }
        Instant timestamp = Instant.ofEpochMilli(clock);
        clock += stepMs;
        long sequence = ++sequences[index];
        if (index < items) {
            String id = itemId(index);
            return new SampleEvent(eventId(id, sequence), InventoryItemFold.AGGREGATE_TYPE, id, sequence, timestamp,
                itemEvent(index, sequence));
        }
        int w = index - items;
        String id = warehouseId(w);
        SpecificRecord payload = sequence == 1
            ? new WarehouseOpened("Warehouse " + w, "Site " + (char) ('A' + w % 26), 1_000 + random.nextInt(9_000))
            : new WarehouseCapacityChanged(1_000 + random.nextInt(9_000));
        return new SampleEvent(eventId(id, sequence), WarehouseFold.AGGREGATE_TYPE, id, sequence, timestamp, payload);
    }

    private SpecificRecord itemEvent(int item, long sequence) {
        if (sequence == 1) {
            return new ItemRegistered(String.format("SKU-%05d", item), "Item " + item,
                warehouseId(warehouses == 0 ? 0 : item % warehouses));
        }
        int roll = random.nextInt(10);
        if (roll < 5 || onHand[item] == 0) {
            int quantity = 1 + random.nextInt(50);
            onHand[item] += quantity;
            return new StockReceived(quantity, "PO-" + sequence);
        }
        if (roll < 9) {
            int quantity = 1 + random.nextInt((int) Math.min(onHand[item], 40));
            onHand[item] -= quantity;
            return new StockShipped(quantity, "SO-" + sequence);
        }
        int delta = random.nextBoolean() ? 1 + random.nextInt(5) : -(1 + random.nextInt((int) Math.min(onHand[item], 5)));
        onHand[item] += delta;
        return new StockAdjusted(delta, "cycle count");
    }

    private static String eventId(String aggregateId, long sequence) {
        return UUID.nameUUIDFromBytes((aggregateId + "#" + sequence).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
