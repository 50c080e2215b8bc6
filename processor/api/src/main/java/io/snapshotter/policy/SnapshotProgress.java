package io.snapshotter.policy;

/**
 * What a {@link SnapshotPolicy} knows of one aggregate.
 *
 * @param aggregateType       the aggregate's type
 * @param version             events folded so far (the last event's sequence)
 * @param eventsSinceSnapshot events folded since the last snapshot
 * @param lastSnapshotVersion version of the last snapshot, 0 if none
 * @param lastSnapshotTime    clock time of the last snapshot, or of the aggregate's first event if
 *                            none was taken
 */
public record SnapshotProgress(String aggregateType, long version, long eventsSinceSnapshot,
                               long lastSnapshotVersion, long lastSnapshotTime) {
}
