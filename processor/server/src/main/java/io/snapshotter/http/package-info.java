/**
 * The HTTP API on the JDK's HttpServer: current state (forwarded to the owning instance), snapshot history,
 * token-protected and audited admin endpoints, health, readiness and Prometheus metrics.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.http;
