/**
 * Interactive queries on the aggregates store across instances, answered as found, on another instance, not
 * found or not ready, independent of HTTP.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.query;
