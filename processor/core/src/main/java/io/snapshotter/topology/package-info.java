/**
 * The Kafka Streams topology: the fold processor that folds events into the aggregates store and emits
 * snapshots as the policies ask, the fold registry, the snapshot schedule and requests, the topology's
 * settings and metrics.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.topology;
