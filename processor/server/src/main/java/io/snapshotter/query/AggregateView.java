package io.snapshotter.query;

import java.time.Instant;

/**
 * An aggregate's current state as a lookup answers it.
 *
 * @param version             events folded, which is also the last event's sequence
 * @param eventsSinceSnapshot events folded since the last snapshot
 * @param lastSnapshotVersion version of the last snapshot, 0 when none was taken
 * @param state               the state record, decoded (a specific record when its class is on the class path)
 */
public record AggregateView(String aggregateId, String aggregateType, long version, String lastEventId,
                            Instant lastEventTimestamp, long eventsSinceSnapshot, long lastSnapshotVersion,
                            Object state) {
}
