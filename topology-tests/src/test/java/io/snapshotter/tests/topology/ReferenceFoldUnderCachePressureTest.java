package io.snapshotter.tests.topology;

import java.util.Map;

/**
 * {@link ReferenceFoldTest}'s stream with an aggregates cache of 2 KiB, a few aggregates of the 55:
 * nearly every event misses the cache, reads its aggregate from RocksDB and evicts another. What
 * the stream thread folds against must be the aggregate RocksDB holds every time (a read that
 * evicted what it had just loaded once made an aggregate's next event look like a new aggregate's
 * gap, dead-lettered).
 */
class ReferenceFoldUnderCachePressureTest extends ReferenceFoldTest {

    @Override
    Map<String, String> settings() {
        return Map.of("snapshot.policy", "count", "snapshot.every.events", "7", "aggregates.cache.max.bytes", "2048");
    }
}
