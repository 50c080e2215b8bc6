/**
 * Snapshots as stored and read back: {@link SnapshotFactory} builds and verifies them (compression,
 * checksum), {@link SnapshotHistory} and {@link SnapshotRetention} are the read and pruning seams of a
 * snapshot store.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.snapshot;
