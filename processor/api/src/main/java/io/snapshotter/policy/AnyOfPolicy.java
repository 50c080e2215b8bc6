package io.snapshotter.policy;

import java.util.List;

/** Snapshots when any of its policies would, whichever first: count + time is the hybrid policy. */
public record AnyOfPolicy(List<SnapshotPolicy> policies) implements SnapshotPolicy {

    public AnyOfPolicy {
        policies = List.copyOf(policies);
    }

    @Override
    public boolean isDueAfterEvent(SnapshotProgress progress) {
        return policies.stream().anyMatch(p -> p.isDueAfterEvent(progress));
    }

    @Override
    public long timeDue(SnapshotProgress progress) {
        return policies.stream().mapToLong(p -> p.timeDue(progress)).min().orElse(NEVER);
    }
}
