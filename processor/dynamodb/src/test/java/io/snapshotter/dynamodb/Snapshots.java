package io.snapshotter.dynamodb;

import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.domain.inventory.state.ItemStatus;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.snapshot.SnapshotFactory;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Snapshots of inventory items as the fold processor makes them, for the snapshot store tests. */
public final class Snapshots {

    public final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    public final AvroWireCodec codec = new AvroWireCodec(registry);
    private final SnapshotFactory factory = new SnapshotFactory("test-app", true, 4096);

    /** The state of {@code itemId} at {@code version}: {@code version} units on hand. */
    public static InventoryItemState state(String itemId, long version, String name) {
        Instant at = Instant.ofEpochMilli(1_700_000_000_000L + version);
        return new InventoryItemState(itemId, "SKU-" + itemId, name, "wh-1", version, version, 0L, ItemStatus.ACTIVE,
            null, at);
    }

    public Snapshot of(String itemId, long version) {
        return of(itemId, version, "Widget");
    }

    /** A snapshot whose state carries {@code name}: a long name makes a large state. */
    public Snapshot of(String itemId, long version, String name) {
        byte[] state = codec.encode(InventoryItemState.getClassSchema().getFullName(), state(itemId, version, name), true);
        AggregateRecord record = new AggregateRecord("InventoryItem", version, "event-" + version,
            1_700_000_000_000L + version, 0L, version, 0L, Long.MAX_VALUE, Long.MAX_VALUE, 1, ByteBuffer.wrap(state), null,
            java.util.List.of());
        return factory.snapshotOf(itemId, itemId, record, 1_700_000_000_000L + version, SnapshotReason.COUNT);
    }

    public byte[] encode(String topic, Snapshot snapshot) {
        return codec.encode(topic + "-value", snapshot, true);
    }
}
