package io.snapshotter.query;

import java.time.Instant;

/**
 * An aggregate's current state as a lookup answers it.
 *
 * @param version             events folded, which is also the last event's sequence
 * @param eventsSinceSnapshot events folded since the last snapshot
 * @param lastSnapshotVersion version of the last snapshot, 0 when none was taken
 * @param state               the state record, decoded (a specific record when its class is on the class path);
 *                            null while a new aggregate is parked before its first event
 * @param parked              where the aggregate is parked, or null when it is not
 */
public record AggregateView(String aggregateId, String aggregateType, long version, String lastEventId,
                            Instant lastEventTimestamp, long eventsSinceSnapshot, long lastSnapshotVersion,
                            Object state, Parking parked) {

    /**
     * A parked aggregate: its event {@code sequence} was rejected, so later ones wait in the
     * dead-letter topic ({@code eventsHeld} of them) until an event with that sequence folds.
     *
     * @param source where the rejected event is: {@code topic-partition@offset}
     */
    public record Parking(long sequence, String eventId, String reason, String error, Instant parkedAt, String source,
                          long eventsHeld) {
    }
}
