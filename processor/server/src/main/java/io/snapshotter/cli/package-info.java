/**
 * The production artifact's command line (picocli): run, replay and dead-letters, with their options and exit codes.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.cli;
