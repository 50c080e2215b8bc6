package io.snapshotter.tests.testing;

import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.topology.FoldRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The expected outcome of a stream of sample events: each aggregate's state and version, from the
 * folds on the class path applied directly, event by event, without Kafka.
 */
public final class ReferenceFold {

    private final FoldRegistry folds = FoldRegistry.fromClassPath();
    private final Map<String, SpecificRecord> states = new HashMap<>();
    private final Map<String, Long> versions = new HashMap<>();

    /** Folds {@code event} into its aggregate and returns the aggregate's new state. */
    public SpecificRecord apply(SampleEvent event) {
        SpecificRecord state = folds.forType(event.aggregateType()).fold().apply(states.get(event.aggregateId()),
            new DomainEvent(event.eventId(), event.aggregateId(), event.sequence(), event.timestamp(), event.payload()));
        states.put(event.aggregateId(), state);
        versions.put(event.aggregateId(), event.sequence());
        return state;
    }

    /** Each aggregate's state after the events applied so far. */
    public Map<String, SpecificRecord> states() {
        return states;
    }

    /** Each aggregate's version (its last event's sequence). */
    public Map<String, Long> versions() {
        return versions;
    }
}
