/**
 * The embedded demo: a KRaft broker and an in-memory schema registry in this JVM running the processor on a
 * sample inventory stream, the sample producer, and the demo's command line.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.demo;
