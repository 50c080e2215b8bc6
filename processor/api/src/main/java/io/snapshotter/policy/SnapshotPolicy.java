package io.snapshotter.policy;

import java.util.Map;

/**
 * Decides when an aggregate's state is snapshotted. Built in: {@link CountPolicy},
 * {@link TimePolicy} and their combination {@link AnyOfPolicy} (hybrid). A custom policy is a
 * class with a public no-argument constructor, named by {@code snapshot.policy.class}.
 *
 * <p>Two questions are asked. After every folded event: is a snapshot due at this version? And
 * when an aggregate gets its first event since its last snapshot: at what clock time do its pending
 * events fall due? The processor indexes that time, so finding due aggregates costs in proportion
 * to the aggregates that are due, not to all aggregates.
 *
 * <p>Thread safety: one instance per aggregate type serves every task and every stream thread of
 * the process, so both questions may be asked concurrently. Answer from the {@link SnapshotProgress}
 * alone (the built-in policies are immutable); a policy that keeps state of its own must make it
 * thread-safe. A policy that throws rejects the event that asked (dead-lettered as
 * {@code POLICY_FAILED}, the aggregate parked), it does not stop processing.
 */
public interface SnapshotPolicy {

    /** {@link #timeDue} result for a policy that never snapshots by time. */
    long NEVER = Long.MAX_VALUE;

    /** After an event is folded: true to snapshot the state at {@code progress.version()}. */
    boolean isDueAfterEvent(SnapshotProgress progress);

    /**
     * The clock time (epoch millis, on the configured clock) at which the aggregate's pending
     * events must be snapshotted, or {@link #NEVER}. Asked once, when the first event after a
     * snapshot is folded.
     */
    long timeDue(SnapshotProgress progress);

    /**
     * Receives every configuration value. A custom policy's own settings go under
     * {@code snapshot.policy.config.} (or {@code aggregate.<type>.snapshot.policy.config.} for one
     * type, which arrive here without the {@code aggregate.<type>.} part).
     */
    default void configure(Map<String, ?> configs) {
    }
}
