/**
 * MANUAL snapshot requests, written to the snapshot requests topic keyed by aggregateId so they reach the
 * task that owns the aggregate.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.admin;
