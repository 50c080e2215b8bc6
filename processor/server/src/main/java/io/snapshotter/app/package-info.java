/**
 * One running processor: topics checked or created, the topology running in Kafka Streams, the snapshot
 * backend and the HTTP API wired together, and bounded replacement of dead stream threads.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.app;
