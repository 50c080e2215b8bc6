/**
 * When an aggregate is snapshotted: the {@link SnapshotPolicy} SPI with the {@link SnapshotProgress} it
 * decides on, and the built-in {@link CountPolicy}, {@link TimePolicy} and {@link AnyOfPolicy} (count + time,
 * the hybrid).
 *
 * <p>Public API (stable within 0.x: additions only; nothing is removed or changed incompatibly without a
 * deprecation in an earlier 0.x release).
 */
package io.snapshotter.policy;
