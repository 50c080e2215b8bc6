package io.snapshotter.snapshot;

/** Keeps the newest K snapshots per aggregate; {@link #sweep()} prunes whatever is over K. */
public interface SnapshotRetention {

    /** Pages through the whole store and deletes every aggregate's snapshots beyond the newest K. */
    SweepResult sweep();

    /**
     * @param snapshotsScanned  snapshots looked at
     * @param aggregatesPruned  aggregates that had more than K
     * @param snapshotsDeleted  snapshots deleted
     */
    record SweepResult(long snapshotsScanned, long aggregatesPruned, long snapshotsDeleted) {
    }
}
