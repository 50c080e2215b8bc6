/**
 * What a fold author implements and sees: {@link AggregateFold}, the pure {@code (state, event) -> state}
 * function of one aggregate type, found with ServiceLoader; {@link DomainEvent}, one event as a fold sees it;
 * and {@link FoldRejectedException}, which dead-letters an event.
 *
 * <p>Public API (stable within 0.x: additions only; nothing is removed or changed incompatibly without a
 * deprecation in an earlier 0.x release).
 */
package io.snapshotter.fold;
