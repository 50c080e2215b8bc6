package io.snapshotter.policy;

/**
 * Snapshots at every N-th event: versions N, 2N, 3N ... The versions depend on the input alone,
 * so every run over the same events snapshots the same versions.
 */
public record CountPolicy(int everyEvents) implements SnapshotPolicy {

    public CountPolicy {
        if (everyEvents < 1) {
            throw new IllegalArgumentException("everyEvents must be at least 1, was " + everyEvents);
        }
    }

    @Override
    public boolean isDueAfterEvent(SnapshotProgress progress) {
        return progress.version() % everyEvents == 0;
    }

    @Override
    public long timeDue(SnapshotProgress progress) {
        return NEVER;
    }
}
