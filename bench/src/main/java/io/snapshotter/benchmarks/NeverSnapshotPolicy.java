package io.snapshotter.benchmarks;

import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.SnapshotProgress;

/**
 * A custom policy ({@code snapshot.policy=custom}) that never snapshots, neither by count nor by
 * time: the fold alone, for the snapshot overhead of the throughput benchmark.
 */
public final class NeverSnapshotPolicy implements SnapshotPolicy {

    @Override
    public boolean isDueAfterEvent(SnapshotProgress progress) {
        return false;
    }

    @Override
    public long timeDue(SnapshotProgress progress) {
        return NEVER;
    }
}
