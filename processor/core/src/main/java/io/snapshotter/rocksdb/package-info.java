/**
 * One off-heap memory budget shared by every RocksDB store of the JVM (shared LRU cache, write buffer
 * manager), and the rocksdb.* settings that configure it.
 *
 * <p>Internal: may change in any release.
 */
package io.snapshotter.rocksdb;
