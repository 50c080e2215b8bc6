package io.snapshotter.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbMemoryTest {

    private static final long MIB = 1L << 20;

    /** Options as Kafka Streams hands them to the setter: a table config with a cache of the store's own. */
    private static Options kafkaStreamsOptions() {
        BlockBasedTableConfigWithAccessibleCache table = new BlockBasedTableConfigWithAccessibleCache();
        table.setBlockCache(new LRUCache(50 * MIB));
        return new Options().setCreateIfMissing(true).setTableFormatConfig(table);
    }

    private static Map<String, Object> streamsConfigs(String... keyValues) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return new RocksDbMemoryConfig(values).streamsSettings();
    }

    private static Cache blockCache(Options options) {
        return ((BlockBasedTableConfigWithAccessibleCache) options.tableFormatConfig()).blockCache();
    }

    @Test
    void shouldGiveEveryStoreTheSameCacheAndWriteBufferManager() {
        Map<String, Object> configs = streamsConfigs("rocksdb.memory.bytes", String.valueOf(64 * MIB));
        BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
        try (Options aggregates = kafkaStreamsOptions(); Options schedule = kafkaStreamsOptions()) {
            setter.setConfig("aggregates", aggregates, configs);
            setter.setConfig("snapshot-schedule", schedule, configs);

            BoundedRocksDbMemory.Shared shared = BoundedRocksDbMemory.sharedFor(configs);
            assertThat(shared.budget().memoryBytes()).isEqualTo(64 * MIB);
            assertThat(blockCache(aggregates)).isSameAs(shared.cache()).isSameAs(blockCache(schedule));
            assertThat(aggregates.writeBufferManager()).isSameAs(shared.writeBufferManager())
                .isSameAs(schedule.writeBufferManager());
            setter.close("aggregates", aggregates);
            setter.close("snapshot-schedule", schedule);
            assertThat(shared.cache().isOwningHandle()).as("the shared cache outlives the stores").isTrue();
        }
    }

    @Test
    void shouldKeepIndexAndFilterBlocksInTheCacheAndBoundTheMemtables() {
        Map<String, Object> configs = streamsConfigs("rocksdb.memory.bytes", String.valueOf(32 * MIB),
            "rocksdb.memtable.bytes", String.valueOf(4 * MIB), "rocksdb.max.write.buffers", "3");
        try (Options options = kafkaStreamsOptions()) {
            new BoundedRocksDbMemory().setConfig("aggregates", options, configs);

            BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
            assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
            assertThat(table.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
            assertThat(table.pinTopLevelIndexAndFilter()).isTrue();
            assertThat(table.pinL0FilterAndIndexBlocksInCache()).isTrue();
            assertThat(options.writeBufferSize()).isEqualTo(4 * MIB);
            assertThat(options.maxWriteBufferNumber()).isEqualTo(3);
        }
    }

    @Test
    void shouldChargeTheMemtablesOfTwoDatabasesToOneCacheOfTheBudget(@TempDir Path dir) throws Exception {
        Map<String, Object> configs = streamsConfigs("rocksdb.memory.bytes", String.valueOf(24 * MIB),
            "rocksdb.memtable.bytes", String.valueOf(2 * MIB));
        BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
        try (Options first = kafkaStreamsOptions(); Options second = kafkaStreamsOptions()) {
            setter.setConfig("first", first, configs);
            setter.setConfig("second", second, configs);
            Cache cache = BoundedRocksDbMemory.sharedFor(configs).cache();
            long before = cache.getUsage();
            try (RocksDB a = RocksDB.open(first, dir.resolve("a").toString());
                 RocksDB b = RocksDB.open(second, dir.resolve("b").toString())) {
                byte[] value = new byte[100];
                for (int i = 0; i < 5_000; i++) {
                    byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
                    a.put(key, value);
                    b.put(key, value);
                }
                assertThat(a.getProperty("rocksdb.block-cache-capacity")).isEqualTo(String.valueOf(24 * MIB));
                assertThat(b.getProperty("rocksdb.block-cache-capacity")).isEqualTo(String.valueOf(24 * MIB));
                assertThat(cache.getUsage()).as("memtables charged to the shared cache").isGreaterThan(before)
                    .isLessThanOrEqualTo(24 * MIB);
            }
        }
    }

    @Test
    void shouldShareOneBudgetBetweenEqualSettingsOnly() {
        BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
        Map<String, Object> small = streamsConfigs("rocksdb.memory.bytes", String.valueOf(40 * MIB));
        Map<String, Object> sameAgain = streamsConfigs("rocksdb.memory.bytes", String.valueOf(40 * MIB));
        Map<String, Object> larger = streamsConfigs("rocksdb.memory.bytes", String.valueOf(80 * MIB));
        try (Options a = kafkaStreamsOptions(); Options b = kafkaStreamsOptions(); Options c = kafkaStreamsOptions()) {
            setter.setConfig("s", a, small);
            setter.setConfig("s", b, sameAgain);
            setter.setConfig("s", c, larger);
            assertThat(blockCache(a)).isSameAs(blockCache(b)).isNotSameAs(blockCache(c));
        }
    }

    @Test
    void shouldFallBackToTheDefaultBudgetWhenSetWithoutItsKeys() {
        Map<String, Object> configs = new HashMap<>();
        configs.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
        try (Options options = kafkaStreamsOptions()) {
            new BoundedRocksDbMemory().setConfig("aggregates", options, configs);
            assertThat(BoundedRocksDbMemory.sharedFor(configs).budget().memoryBytes())
                .isEqualTo(BoundedRocksDbMemory.DEFAULT_MEMORY_BYTES);
            assertThat(options.writeBufferSize()).isEqualTo(BoundedRocksDbMemory.DEFAULT_MEMTABLE_BYTES);
        }
    }
}
