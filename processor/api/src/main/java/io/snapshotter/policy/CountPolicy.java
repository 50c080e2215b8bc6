package io.snapshotter.policy;

/**
 * Snapshots at every N-th event: versions N, 2N, 3N ... The versions depend on the input alone,
 * so every run over the same events snapshots the same versions. A version that jumps over a
 * multiple of N (a gap folded with {@code sequence.gap.policy=fold}) is snapshotted too: the
 * trigger is crossing a multiple of N since the last snapshot.
 */
public record CountPolicy(int everyEvents) implements SnapshotPolicy {

    public CountPolicy {
        if (everyEvents < 1) {
            throw new IllegalArgumentException("everyEvents must be at least 1, was " + everyEvents);
        }
    }

    @Override
    public boolean isDueAfterEvent(SnapshotProgress progress) {
        return progress.version() / everyEvents > progress.lastSnapshotVersion() / everyEvents;
    }

    @Override
    public long timeDue(SnapshotProgress progress) {
        return NEVER;
    }

    @Override
    public String toString() {
        return "every " + everyEvents + " events";
    }
}
