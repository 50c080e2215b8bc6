package io.snapshotter.snapshot;

import java.util.List;

/**
 * One page of an aggregate's snapshot history, newest first.
 *
 * @param snapshots         the snapshots on this page
 * @param corrupt           the versions on this page whose snapshot is corrupt, newest first: marked
 *                          here rather than failing the page, and never returned as good
 * @param nextBeforeVersion pass as {@code beforeVersion} for the next page; null on the last page
 */
public record SnapshotPage(List<StoredSnapshot> snapshots, List<Corrupt> corrupt, Long nextBeforeVersion) {

    public SnapshotPage(List<StoredSnapshot> snapshots, Long nextBeforeVersion) {
        this(snapshots, List.of(), nextBeforeVersion);
    }

    /** A version kept in the store whose snapshot fails its checks; {@code problem} says which. */
    public record Corrupt(long version, String problem) {
    }
}
