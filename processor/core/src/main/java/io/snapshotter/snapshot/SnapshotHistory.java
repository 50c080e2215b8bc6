package io.snapshotter.snapshot;

import java.util.Optional;

/**
 * Where other services read snapshots from (the DynamoDB table). Every snapshot returned has had
 * its checksum verified and its state decoded; a corrupt one raises
 * {@link CorruptSnapshotException} and is never returned as good.
 */
public interface SnapshotHistory {

    /** The newest snapshot of {@code aggregateId}, if any. */
    Optional<StoredSnapshot> latest(String aggregateId);

    /**
     * Snapshots of {@code aggregateId}, newest first, at most {@code limit} of them, with versions
     * below {@code beforeVersion} (null: from the newest).
     */
    SnapshotPage history(String aggregateId, int limit, Long beforeVersion);

    /** The snapshot of {@code aggregateId} at exactly {@code version}, if kept. */
    Optional<StoredSnapshot> at(String aggregateId, long version);
}
