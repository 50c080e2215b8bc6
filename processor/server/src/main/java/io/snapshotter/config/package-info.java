/**
 * The processor's configuration: the components' own definitions composed and parsed once, from the defaults
 * file, a --config file and SNAPSHOTTER_* environment variables.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.config;
