/**
 * The snapshot sink SPI: a {@link SnapshotSink} writes batches of committed snapshots ({@link SinkRecord})
 * and reports errant ones through its {@link SinkContext}; the {@link SnapshotRelay} owns the consumer, the
 * offsets and the dead-letter topic and drives a sink.
 *
 * <p>Public API (stable within 0.x: additions only; nothing is removed or changed incompatibly without a
 * deprecation in an earlier 0.x release).
 */
package io.snapshotter.sink;
