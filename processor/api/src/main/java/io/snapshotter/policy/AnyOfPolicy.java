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
        for (SnapshotPolicy policy : policies) {  // per event: no stream, no lambda
            if (policy.isDueAfterEvent(progress)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long timeDue(SnapshotProgress progress) {
        long due = NEVER;
        for (SnapshotPolicy policy : policies) {
            due = Math.min(due, policy.timeDue(progress));
        }
        return due;
    }

    /** E.g. "every 100 events or 3600000 ms after the last snapshot, whichever first". */
    @Override
    public String toString() {
        return policies.stream().map(String::valueOf).collect(Collectors.joining(" or ")) + ", whichever first";
    }
}
