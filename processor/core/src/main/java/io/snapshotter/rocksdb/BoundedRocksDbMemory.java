package io.snapshotter.rocksdb;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of all the RocksDB stores of this JVM by one budget, as in the Kafka
 * Streams memory-management recipe: one {@link LRUCache} with a strict capacity shared by every
 * store, a {@link WriteBufferManager} that charges the memtables to that cache, index and filter
 * blocks kept in the cache (high priority, the top level and L0 ones pinned) instead of beside it,
 * and a bounded number of memtables per store.
 *
 * <p>Without it each store has its own 50 MiB block cache and up to three 16 MiB memtables, plus
 * index and filter blocks outside any cache, so memory grows with the number of stores (two per
 * task here: {@code aggregates} and {@code snapshot-schedule}) and with the data.
 *
 * <p>Kafka Streams creates the setter itself, so the settings come from its configs:
 * {@link RocksDbMemoryConfig#streamsSettings()} passes the processor's
 * {@code rocksdb.*} keys under {@value #PREFIX}. The cache and the write buffer manager are static,
 * one pair per distinct setting, so every store of every Kafka Streams instance of the JVM with the
 * same settings shares them; {@link #close} closes nothing shared (nothing per store is created).
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    /** Prefix of the settings in the Kafka Streams configs. */
    public static final String PREFIX = "snapshotter.";
    public static final String MEMORY_BYTES = PREFIX + "rocksdb.memory.bytes";
    public static final String WRITE_BUFFER_RATIO = PREFIX + "rocksdb.write.buffer.ratio";
    public static final String MEMTABLE_BYTES = PREFIX + "rocksdb.memtable.bytes";
    public static final String MAX_WRITE_BUFFERS = PREFIX + "rocksdb.max.write.buffers";
    public static final String HIGH_PRIORITY_RATIO = PREFIX + "rocksdb.index.filter.ratio";

    public static final long DEFAULT_MEMORY_BYTES = 256L << 20;
    public static final double DEFAULT_WRITE_BUFFER_RATIO = 0.5;
    public static final long DEFAULT_MEMTABLE_BYTES = 16L << 20;
    public static final int DEFAULT_MAX_WRITE_BUFFERS = 2;
    public static final double DEFAULT_HIGH_PRIORITY_RATIO = 0.1;

    /** The settings of one shared budget. */
    public record Budget(long memoryBytes, double writeBufferRatio, long memtableBytes, int maxWriteBuffers,
                         double highPriorityRatio) {

        /** Bytes of the budget the memtables of all stores may take (charged to the cache). */
        public long writeBufferBytes() {
            return (long) (memoryBytes * writeBufferRatio);
        }

        static Budget from(Map<String, Object> configs) {
            return new Budget(
                longValue(configs, MEMORY_BYTES, DEFAULT_MEMORY_BYTES),
                doubleValue(configs, WRITE_BUFFER_RATIO, DEFAULT_WRITE_BUFFER_RATIO),
                longValue(configs, MEMTABLE_BYTES, DEFAULT_MEMTABLE_BYTES),
                (int) longValue(configs, MAX_WRITE_BUFFERS, DEFAULT_MAX_WRITE_BUFFERS),
                doubleValue(configs, HIGH_PRIORITY_RATIO, DEFAULT_HIGH_PRIORITY_RATIO));
        }
    }

    /** The objects every store with one {@link Budget} shares; never closed (they live as long as the JVM). */
    public record Shared(Budget budget, Cache cache, WriteBufferManager writeBufferManager) {

        /** Bytes in the shared cache now: data, index and filter blocks and the memtables charged to it. */
        public long usage() {
            return cache.getUsage();
        }

        /** Bytes of the cache held by entries in use (pinned blocks, memtables). */
        public long pinnedUsage() {
            return cache.getPinnedUsage();
        }
    }

    private static final Map<Budget, Shared> SHARED = new ConcurrentHashMap<>();

    static {
        RocksDB.loadLibrary();
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Shared shared = shared(Budget.from(configs));
        Budget budget = shared.budget();
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(shared.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        table.setPinL0FilterAndIndexBlocksInCache(true);
        options.setWriteBufferManager(shared.writeBufferManager());
        options.setWriteBufferSize(budget.memtableBytes());
        options.setMaxWriteBufferNumber(budget.maxWriteBuffers());
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store: never closed here.
    }

    /** The cache and write buffer manager of {@code budget}, created on first use. */
    public static Shared shared(Budget budget) {
        return SHARED.computeIfAbsent(budget, b -> {
            Cache cache = new LRUCache(b.memoryBytes(), -1, true, b.highPriorityRatio());
            return new Shared(b, cache, new WriteBufferManager(b.writeBufferBytes(), cache));
        });
    }

    /** The shared objects of the budget in {@code configs} (Kafka Streams configs), if a store has used them. */
    public static Shared sharedFor(Map<String, ?> configs) {
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) configs;
        return SHARED.get(Budget.from(values));
    }

    /** Every shared budget in use in this JVM. */
    public static Iterable<Shared> allShared() {
        return SHARED.values();
    }

    private static long longValue(Map<String, Object> configs, String key, long otherwise) {
        Object value = configs.get(key);
        return value == null ? otherwise
            : value instanceof Number n ? n.longValue() : Long.parseLong(Objects.toString(value).trim());
    }

    private static double doubleValue(Map<String, Object> configs, String key, double otherwise) {
        Object value = configs.get(key);
        return value == null ? otherwise
            : value instanceof Number n ? n.doubleValue() : Double.parseDouble(Objects.toString(value).trim());
    }
}
