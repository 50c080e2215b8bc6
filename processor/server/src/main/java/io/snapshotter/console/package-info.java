/**
 * What the web console shows of a running processor, apart from HTTP: the fold's recent activity (counts, the
 * latest snapshots and dead letters, fed by the topology as they happen) and which instance holds which
 * partitions and tasks.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.console;
