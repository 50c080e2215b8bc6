/**
 * Schema registry clients with Confluent's API and rules: a REST client (Confluent, Apicurio ccompat,
 * Redpanda, Karapace), an in-memory registry for tests and the embedded mode, and their settings and errors.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.registry;
