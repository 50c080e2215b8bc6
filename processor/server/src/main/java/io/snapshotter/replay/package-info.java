/**
 * The replay command: resets the application as Kafka's application reset tool does, optionally seeds
 * aggregates from snapshots at a point in time, folds the events again and reports progress.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.replay;
