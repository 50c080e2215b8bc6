package io.snapshotter.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.SubjectNameStrategy;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.SpecificAvroSerde;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The aggregates store's cache over an inner store (in memory here; RocksDB in the topology): what
 * readers see before and after a commit, the merge of unwritten aggregates into scans, the budget.
 */
class AggregateStoreTest {

    private final List<AggregateStore> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(AggregateStore::close);
    }

    /** The store, and the inner store under it, which only sees what the cache wrote. */
    private record Stores2(AggregateStore store, KeyValueStore<String, AggregateRecord> inner) {
    }

    private Stores2 open(long budgetBytes) {
        return open(new AggregateStore.Budget(budgetBytes));
    }

    private Stores2 open(AggregateStore.Budget budget) {
        var serde = new SpecificAvroSerde<>(new AvroWireCodec(new InMemorySchemaRegistry()), AggregateRecord.class,
            SubjectNameStrategy.RECORD_NAME, false, true);
        var inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SnapshotTopology.AGGREGATES_STORE),
            Serdes.String(), serde).withLoggingDisabled();
        AggregateStore store = AggregateStore.builder(inner, budget).build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        opened.add(store);
        return new Stores2(store, innerOf(store));
    }

    @SuppressWarnings("unchecked")
    private static KeyValueStore<String, AggregateRecord> innerOf(AggregateStore store) {
        try {
            var field = AggregateStore.class.getDeclaredField("rocksDb");
            field.setAccessible(true);
            return (KeyValueStore<String, AggregateRecord>) field.get(store);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static AggregateRecord record(long version, int stateBytes) {
        return new AggregateRecord("Counter", version, "e-" + version, 0L, version, 0L, 0L, Long.MAX_VALUE, Long.MAX_VALUE, 1,
            ByteBuffer.wrap(new byte[stateBytes]), null, new ArrayList<>());
    }

    @Test
    void shouldServeAnUpdateToReadersAtOnceButWriteItToTheInnerStoreOnlyWhenTheCacheIsFlushed() {
        Stores2 s = open(1 << 20);
        AggregateRecord updated = record(3, 10);

        s.store().update("a-1", updated, null);

        AggregateRecord read = s.store().get("a-1");
        assertThat(read).isEqualTo(updated).isNotSameAs(updated);
        assertThat(s.store().cached("a-1").record()).isSameAs(updated);
        assertThat(s.inner().get("a-1")).isNull();
        assertThat(s.store().dirtyCount()).isEqualTo(1);

        s.store().flushCache();

        assertThat(s.inner().get("a-1")).isEqualTo(updated);
        assertThat(s.store().dirtyCount()).isZero();
    }

    @Test
    void shouldWriteAnAggregateChangedManyTimesBetweenCommitsOnceWithItsLastValue() {
        Stores2 s = open(1 << 20);
        for (long v = 1; v <= 50; v++) {
            s.store().update("a-1", record(v, 10), null);
        }
        assertThat(s.store().dirtyCount()).isEqualTo(1);

        s.store().flushCache();

        assertThat(s.inner().get("a-1").getVersion()).isEqualTo(50);
    }

    @Test
    void shouldMergeUnwrittenAggregatesIntoScansInKeyOrderAndHideDeletedOnes() {
        Stores2 s = open(1 << 20);
        s.store().update("a", record(1, 1), null);
        s.store().update("c", record(1, 1), null);
        s.store().update("e", record(1, 1), null);
        s.store().flushCache();
        s.store().update("b", record(2, 1), null);
        s.store().update("c", record(5, 1), null);
        s.store().delete("e");
        s.store().update("f", record(1, 1), null);

        List<KeyValue<String, Long>> all = new ArrayList<>();
        try (KeyValueIterator<String, AggregateRecord> it = s.store().all()) {
            it.forEachRemaining(kv -> all.add(KeyValue.pair(kv.key, kv.value.getVersion())));
        }
        List<String> range = new ArrayList<>();
        try (KeyValueIterator<String, AggregateRecord> it = s.store().range("b", "e")) {
            it.forEachRemaining(kv -> range.add(kv.key));
        }

        assertThat(all).containsExactly(KeyValue.pair("a", 1L), KeyValue.pair("b", 2L), KeyValue.pair("c", 5L),
            KeyValue.pair("f", 1L));
        assertThat(range).containsExactly("b", "c");
        assertThat(s.store().get("e")).isNull();
        assertThat(s.inner().get("e")).isNotNull();
        s.store().flushCache();
        assertThat(s.inner().get("e")).isNull();
    }

    @Test
    void shouldKeepItsEntriesWithinTheBudgetWritingAChangedAggregateWhenItIsEvicted() {
        long entry = AggregateStore.ENTRY_OVERHEAD_BYTES + 2 * "a-00".length() + 100;
        Stores2 s = open(10 * entry);

        for (int i = 0; i < 40; i++) {
            s.store().update(String.format("a-%02d", i), record(i + 1, 100), null);
        }

        assertThat(s.store().cachedCount()).isEqualTo(10);
        assertThat(s.store().dirtyCount()).isEqualTo(10);
        int written = 0;
        for (int i = 0; i < 40; i++) {
            String id = String.format("a-%02d", i);
            AggregateRecord inner = s.inner().get(id);
            if (inner != null) {
                written++;
                assertThat(inner.getVersion()).isEqualTo(i + 1);
            }
            assertThat(s.store().get(id).getVersion()).isEqualTo(i + 1);
        }
        // the 30 evicted were written as they went; the 10 still cached wait for the commit
        assertThat(written).isEqualTo(30);
        assertThat(retainedRecords(s.store())).isEqualTo(10);  // the evicted ones' records are let go
        s.store().flushCache();
        for (int i = 0; i < 40; i++) {
            assertThat(s.inner().get(String.format("a-%02d", i)).getVersion()).isEqualTo(i + 1);
        }
    }

    @Test
    void shouldEvictAnAggregateNotReadSinceTheLastRoundBeforeOneThatWas() {
        long entry = AggregateStore.ENTRY_OVERHEAD_BYTES + 2 * "a-00".length() + 100;
        Stores2 s = open(3 * entry);
        s.store().update("a-00", record(1, 100), null);
        s.store().update("a-01", record(1, 100), null);
        s.store().update("a-02", record(1, 100), null);
        s.store().update("a-03", record(1, 100), null);  // a round: every mark cleared, a-00 out
        s.store().flushCache();
        s.store().cached("a-01");                        // read again: kept over a-02 and a-03

        s.store().update("a-04", record(1, 100), null);
        s.store().update("a-05", record(1, 100), null);

        assertThat(s.store().cachedCount()).isEqualTo(3);
        assertThat(cachedIds(s.store())).contains("a-01", "a-04", "a-05");
    }

    /**
     * A read that misses the cache loads the aggregate from RocksDB and may evict to stay within the
     * budget: never the aggregate just read. It did when the eviction's hand stood on the slot the new
     * entry took (after an eviction of the second-to-last slot), and the read returned no aggregate: its
     * next event then looked like the first of a new one, a sequence gap, and was dead-lettered.
     */
    @Test
    void shouldReturnTheAggregateARefillingReadLoadsWhenTheCacheIsFull() {
        long entry = AggregateStore.ENTRY_OVERHEAD_BYTES + 2 * "a-00".length() + 100;
        Stores2 s = open(4 * entry);
        for (int i = 0; i < 50; i++) {
            s.inner().put(String.format("a-%02d", i), record(i + 1, 100));  // in RocksDB, not cached
        }
        java.util.Random random = new java.util.Random(7);
        for (int read = 0; read < 5_000; read++) {
            int i = random.nextInt(50);
            AggregateStore.Cached cached = s.store().cached(String.format("a-%02d", i));
            assertThat(cached).as("read %d of a-%02d, which RocksDB holds", read, i).isNotNull();
            assertThat(cached.record().getVersion()).isEqualTo(i + 1);
            assertThat(s.store().cachedCount()).isLessThanOrEqualTo(4);
        }
    }

    /** Records the store's list of changed entries still refers to. */
    private static long retainedRecords(AggregateStore store) {
        try {
            var field = AggregateStore.class.getDeclaredField("dirty");
            field.setAccessible(true);
            long retained = 0;
            for (Object entry : (List<?>) field.get(store)) {
                var record = entry.getClass().getDeclaredField("record");
                record.setAccessible(true);
                retained += record.get(entry) != null ? 1 : 0;
            }
            return retained;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static java.util.Set<String> cachedIds(AggregateStore store) {
        try {
            var field = AggregateStore.class.getDeclaredField("entries");
            field.setAccessible(true);
            return new java.util.TreeSet<>(((java.util.Map<String, ?>) field.get(store)).keySet());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldGiveAStoreThatIsNeverUsedNoShareOfTheBudget() {
        long entry = AggregateStore.ENTRY_OVERHEAD_BYTES + 2 * "a-00".length() + 100;
        AggregateStore.Budget budget = new AggregateStore.Budget(10 * entry);
        Stores2 used = open(budget);
        open(budget);  // a standby's, say: opened, restored into, never read by a processor

        for (int i = 0; i < 10; i++) {
            used.store().update(String.format("a-%02d", i), record(i + 1, 100), null);
        }

        assertThat(used.store().cachedCount()).isEqualTo(10);
    }

    @Test
    void shouldShareTheBudgetBetweenTheOpenStores() {
        AggregateStore.Budget budget = new AggregateStore.Budget(1200);
        budget.opened();
        assertThat(budget.share()).isEqualTo(1200);
        budget.opened();
        budget.opened();
        assertThat(budget.share()).isEqualTo(400);
        budget.closed();
        assertThat(budget.share()).isEqualTo(600);
    }

    @Test
    void shouldDropWhatItHasNotWrittenWhenKafkaStreamsClearsTheCache() {
        Stores2 s = open(1 << 20);
        s.store().update("a-1", record(1, 1), null);
        s.store().flushCache();
        s.store().update("a-1", record(2, 1), null);

        s.store().clearCache();
        s.store().flushCache();

        assertThat(s.store().get("a-1").getVersion()).isEqualTo(1);
        assertThat(s.inner().get("a-1").getVersion()).isEqualTo(1);
    }
}
