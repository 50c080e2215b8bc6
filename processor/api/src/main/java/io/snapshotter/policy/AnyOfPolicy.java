package io.snapshotter.policy;

import java.util.List;
import java.util.stream.Collectors;

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

    /** E.g. "every 100 events or 3600000 ms after the last snapshot, whichever first". */
    @Override
    public String toString() {
        return policies.stream().map(String::valueOf).collect(Collectors.joining(" or ")) + ", whichever first";
    }
}
