package io.snapshotter.benchmarks.jmh;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events the microbenchmarks replay: the sample inventory stream over {@code items} items only
 * (InventoryItem aggregates), seeded, so about half receipts, 40% shipments, 10% adjustments and one
 * registration per item, as the producers of the events topic would write them.
 */
final class Workload {

    static final Instant START = Instant.parse("2024-05-01T08:00:00Z");
    static final String APPLICATION_ID = "bench";

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final AvroWireCodec codec = new AvroWireCodec(registry);
    final ProcessorConfig config;
    final FoldRegistry folds = new FoldRegistry(List.of(new InventoryItemFold()));
    final EventEncoder encoder;
    final SampleEvent[] events;

    Workload(int items, int count) {
        this(items, count, Map.of());
    }

    Workload(int items, int count, Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", "dummy:9092");
        values.put("kafka.application.id", APPLICATION_ID);
        values.put("schema.registry.url", "mock://" + APPLICATION_ID);
        values.putAll(overrides);
        config = new ProcessorConfig(values);
        encoder = new EventEncoder(codec, config.eventsTopic());
        SampleInventoryStream stream = new SampleInventoryStream(42, items, 0, START, 10);
        events = new SampleEvent[count];
        for (int i = 0; i < count; i++) {
            events[i] = stream.next();
        }
    }

    static DomainEvent domainEvent(SampleEvent event) {
        return new DomainEvent(event.eventId(), event.aggregateId(), event.sequence(), event.timestamp(),
            event.payload());
    }

    /** The encoded record value of each event. */
    byte[][] encodedEnvelopes() {
        byte[][] values = new byte[events.length][];
        for (int i = 0; i < events.length; i++) {
            SampleEvent e = events[i];
            values[i] = encoder.encode(e.eventId(), e.aggregateId(), e.aggregateType(), e.sequence(), e.timestamp(),
                e.payload());
        }
        return values;
    }

    /** The state of each event's aggregate just before it, as the fold gives it (null before the first). */
    InventoryItemState[] statesBefore() {
        InventoryItemFold fold = new InventoryItemFold();
        Map<String, InventoryItemState> current = new HashMap<>();
        InventoryItemState[] before = new InventoryItemState[events.length];
        for (int i = 0; i < events.length; i++) {
            SampleEvent e = events[i];
            before[i] = current.get(e.aggregateId());
            current.put(e.aggregateId(), fold.apply(before[i], domainEvent(e)));
        }
        return before;
    }

    /** The state of every aggregate after all the events. */
    Map<String, InventoryItemState> finalStates() {
        InventoryItemFold fold = new InventoryItemFold();
        Map<String, InventoryItemState> current = new HashMap<>();
        for (SampleEvent e : events) {
            current.put(e.aggregateId(), fold.apply(current.get(e.aggregateId()), domainEvent(e)));
        }
        return current;
    }
}
