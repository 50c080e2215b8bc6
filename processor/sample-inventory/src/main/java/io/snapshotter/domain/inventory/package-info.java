/**
 * The sample inventory domain, written against the api jar alone: pure folds for items and warehouses, and a
 * seeded stream of valid sample events. On the class path of the demo and the tests, not of a production
 * deployment.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.domain.inventory;
