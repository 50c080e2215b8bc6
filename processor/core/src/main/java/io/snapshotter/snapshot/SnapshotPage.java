package io.snapshotter.snapshot;

import java.util.List;

/**
 * One page of an aggregate's snapshot history, newest first.
 *
 * @param snapshots         the snapshots on this page
 * @param nextBeforeVersion pass as {@code beforeVersion} for the next page; null on the last page
 */
public record SnapshotPage(List<StoredSnapshot> snapshots, Long nextBeforeVersion) {
}
