package io.snapshotter.rocksdb;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The RocksDB memory budget's settings ({@code rocksdb.*}); {@link #CONFIG_DEF} defines the keys,
 * {@link #streamsSettings()} turns them into Kafka Streams settings for {@link BoundedRocksDbMemory}.
 */
public final class RocksDbMemoryConfig extends AbstractConfig {

    public static final String BOUNDED = "rocksdb.memory.bounded";
    public static final String MEMORY_BYTES = "rocksdb.memory.bytes";
    public static final String WRITE_BUFFER_RATIO = "rocksdb.write.buffer.ratio";
    public static final String MEMTABLE_BYTES = "rocksdb.memtable.bytes";
    public static final String MAX_WRITE_BUFFERS = "rocksdb.max.write.buffers";
    public static final String INDEX_FILTER_RATIO = "rocksdb.index.filter.ratio";
    /** The keys handed to {@link BoundedRocksDbMemory} through the Kafka Streams configs. */
    private static final List<String> BUDGET_KEYS = List.of(MEMORY_BYTES, WRITE_BUFFER_RATIO, MEMTABLE_BYTES,
        MAX_WRITE_BUFFERS, INDEX_FILTER_RATIO);

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
        .define(BOUNDED, Type.BOOLEAN, true, Importance.HIGH,
            "Bound the off-heap memory of all RocksDB stores by rocksdb.memory.bytes (io.snapshotter.rocksdb."
                + "BoundedRocksDbMemory as Kafka Streams' rocksdb.config.setter, unless kafka.rocksdb.config.setter "
                + "names another); false: Kafka Streams' defaults (a 50 MiB cache and up to three 16 MiB memtables "
                + "per store, index and filter blocks outside any cache).")
        .define(MEMORY_BYTES, Type.LONG, BoundedRocksDbMemory.DEFAULT_MEMORY_BYTES,
            ConfigDef.Range.atLeast(16L << 20), Importance.HIGH,
            "Off-heap bytes all RocksDB stores of the process share: one LRU block cache of this capacity (strict "
                + "limit) holding data, index and filter blocks and, charged to it, the memtables.")
        .define(WRITE_BUFFER_RATIO, Type.DOUBLE, BoundedRocksDbMemory.DEFAULT_WRITE_BUFFER_RATIO,
            ConfigDef.Range.between(0.05, 0.9), Importance.MEDIUM,
            "Share of rocksdb.memory.bytes the memtables of all stores may take before the largest is flushed.")
        .define(MEMTABLE_BYTES, Type.LONG, BoundedRocksDbMemory.DEFAULT_MEMTABLE_BYTES,
            ConfigDef.Range.atLeast(1L << 20), Importance.LOW,
            "Size of one memtable of one store (write_buffer_size); at most rocksdb.memory.bytes x "
                + "rocksdb.write.buffer.ratio.")
        .define(MAX_WRITE_BUFFERS, Type.INT, BoundedRocksDbMemory.DEFAULT_MAX_WRITE_BUFFERS,
            ConfigDef.Range.between(2, 16), Importance.LOW,
            "Memtables per store at most (the one written and those being flushed).")
        .define(INDEX_FILTER_RATIO, Type.DOUBLE, BoundedRocksDbMemory.DEFAULT_HIGH_PRIORITY_RATIO,
            ConfigDef.Range.between(0.0, 0.9), Importance.LOW,
            "Share of the cache reserved for high-priority entries (index and filter blocks), so data blocks "
                + "do not evict them.");

    /** @param values every configuration value (keys of other components are ignored here) */
    public RocksDbMemoryConfig(Map<String, ?> values) {
        super(CONFIG_DEF, values, false);
        long writeBuffers = (long) (getLong(MEMORY_BYTES) * getDouble(WRITE_BUFFER_RATIO));
        if (getLong(MEMTABLE_BYTES) > writeBuffers) {
            throw new ConfigException(MEMTABLE_BYTES, getLong(MEMTABLE_BYTES), "must be at most "
                + MEMORY_BYTES + " x " + WRITE_BUFFER_RATIO + " = " + writeBuffers + " bytes");
        }
    }

    /**
     * The Kafka Streams settings of the budget: with {@code rocksdb.memory.bounded},
     * {@link BoundedRocksDbMemory} as {@code rocksdb.config.setter} and the {@code rocksdb.*} values
     * under {@value BoundedRocksDbMemory#PREFIX}; otherwise none.
     */
    public Map<String, Object> streamsSettings() {
        Map<String, Object> settings = new HashMap<>();
        if (getBoolean(BOUNDED)) {
            settings.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
            for (String key : BUDGET_KEYS) {
                settings.put(BoundedRocksDbMemory.PREFIX + key, String.valueOf(get(key)));
            }
        }
        return settings;
    }
}
