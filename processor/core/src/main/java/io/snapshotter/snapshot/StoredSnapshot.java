package io.snapshotter.snapshot;

import io.snapshotter.schema.Snapshot;

/**
 * A snapshot read back from the store, checksum verified.
 *
 * @param snapshot the snapshot as written (state bytes still as stored)
 * @param state    the decoded state record (a specific record when its class is on the class path)
 */
public record StoredSnapshot(Snapshot snapshot, Object state) {
}
