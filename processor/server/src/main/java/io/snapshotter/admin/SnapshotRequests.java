package io.snapshotter.admin;

import io.snapshotter.topology.SnapshotRequest;

/** Where a MANUAL snapshot request goes: to the topology's snapshot requests topic. */
public interface SnapshotRequests {

    /**
     * Writes {@code request} for {@code aggregateId} and returns once it is durably written.
     *
     * @throws SnapshotRequestFailedException if it could not be written in time
     */
    void submit(String aggregateId, SnapshotRequest request);

    /** A request that could not be written. */
    final class SnapshotRequestFailedException extends RuntimeException {
        public SnapshotRequestFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
