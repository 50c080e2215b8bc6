/**
 * The processor's Micrometer Prometheus registry, one per processor, with the JVM meters and the bound Kafka
 * Streams and client metrics.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.metrics;
