/**
 * The production artifact's command line (picocli): run and replay, with their options and exit codes.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.cli;
