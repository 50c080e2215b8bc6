package io.snapshotter.fold;

import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One event as a fold sees it: the envelope's fields and the decoded payload.
 *
 * @param eventId   unique id of the event
 * @param aggregateId id of the aggregate the event belongs to
 * @param sequence  per-aggregate sequence: 1 for the first event, then 2, 3, ...
 * @param timestamp when the event happened
 * @param payload   the domain event
 */
public record DomainEvent(String eventId, String aggregateId, long sequence, Instant timestamp,
                          SpecificRecord payload) {

    public DomainEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(payload, "payload");
    }
}
