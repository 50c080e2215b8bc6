package io.snapshotter.policy;

/**
 * Snapshots pending events once T has passed since the last snapshot (or since the first event,
 * for an aggregate never snapshotted). An aggregate with nothing new is never snapshotted.
 */
public record TimePolicy(long everyMs) implements SnapshotPolicy {

    public TimePolicy {
        if (everyMs < 1) {
            throw new IllegalArgumentException("everyMs must be at least 1, was " + everyMs);
        }
    }

    @Override
    public boolean isDueAfterEvent(SnapshotProgress progress) {
        return false;
    }

    @Override
    public long timeDue(SnapshotProgress progress) {
        long due = progress.lastSnapshotTime() + everyMs;
        return due < progress.lastSnapshotTime() ? NEVER : due;
    }

    @Override
    public String toString() {
        return everyMs + " ms after the last snapshot";
    }
}
