package io.snapshotter.topology;

import io.snapshotter.schema.store.AggregateRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The {@code aggregates} store: a changelogged RocksDB store (Kafka Streams' own, without its byte
 * cache) behind a bounded cache of aggregates as objects, each with its state decoded.
 *
 * <p>The stream thread folds against the cache: no Avro decoding or encoding of the store record, no
 * decoding of the state, no byte comparisons of a sorted cache. A changed aggregate is written to
 * RocksDB and its changelog once per commit: Kafka Streams flushes the caches of its stores
 * ({@link #flushCache()}) before it flushes the producer and commits the transaction, so with
 * exactly-once the writes are in the same transaction as the offsets of the events they fold, as
 * with Kafka Streams' own cache. One evicted before the commit is written then.
 *
 * <p>The cache's budget ({@code aggregates.cache.max.bytes}) is shared by the instance's active tasks
 * (a standby's store takes no share): each
 * keeps within its share of it, evicting by CLOCK (an aggregate not read or changed since the last
 * round goes first). An entry's size is an estimate:
 * a fixed overhead, the id, and three times the encoded state (the bytes and the decoded objects).
 *
 * <p>Interactive queries (other threads) read through the cache and get copies; the stream thread
 * gets the cached objects themselves, which it must not modify ({@link #update} replaces them).
 * {@link #range}/{@link #all} merge the aggregates not yet written with RocksDB's. IQv2
 * {@link #query} reads RocksDB only, so it lags the cache by up to a commit.
 */
final class AggregateStore implements KeyValueStore<String, AggregateRecord>, CachedStateStore<String, AggregateRecord> {

    /** Estimated bytes of an entry beyond its id and state: the record, the entry, the map's node, strings. */
    static final int ENTRY_OVERHEAD_BYTES = 320;

    private final KeyValueStore<String, AggregateRecord> rocksDb;
    private final Budget budget;
    private final HashMap<String, Entry> entries = new HashMap<>(1024);
    /** The entries in a ring the CLOCK eviction's hand goes round (an access-ordered map costs every read a relink). */
    private final ArrayList<Entry> ring = new ArrayList<>(1024);
    private int hand;
    /** Entries changed since the last flush (some may have been written already: evicted). */
    private final List<Entry> dirty = new ArrayList<>();
    private InternalProcessorContext<?, ?> internalContext;
    private long bytes;
    /** Counted in the budget's stores: from its first use (a standby's store is never used so). */
    private boolean counted;

    private AggregateStore(KeyValueStore<String, AggregateRecord> rocksDb, Budget budget) {
        this.rocksDb = rocksDb;
        this.budget = budget;
    }

    /**
     * Builds the store over {@code inner} (a key-value store builder with logging as wanted; its
     * caching is turned off), within {@code budget}.
     */
    static StoreBuilder<AggregateStore> builder(StoreBuilder<KeyValueStore<String, AggregateRecord>> inner,
                                                Budget budget) {
        return new Builder(inner.withCachingDisabled(), budget);
    }

    /**
     * The store behind what {@code ProcessorContext.getStateStore} hands the processor (Kafka Streams
     * wraps it in a decorator that only offers {@link KeyValueStore}'s methods).
     */
    static AggregateStore of(StateStore store) {
        StateStore unwrapped = store;
        while (!(unwrapped instanceof AggregateStore) && unwrapped instanceof WrappedStateStore<?, ?, ?> wrapper) {
            unwrapped = wrapper.wrapped();
        }
        if (unwrapped instanceof AggregateStore aggregates) {
            return aggregates;
        }
        throw new IllegalStateException("the store '" + store.name() + "' is a " + store.getClass().getName()
            + ", not the aggregates store");
    }

    /** An aggregate as the stream thread sees it: the record and, when the cache has it, its state decoded. */
    record Cached(AggregateRecord record, SpecificRecord state) {
    }

    // ---- the stream thread's view ----

    /** The aggregate, from the cache or (then cached) RocksDB; {@code null} when there is none. */
    Cached cached(String aggregateId) {
        count();
        Entry entry;
        synchronized (entries) {
            entry = entries.get(aggregateId);
        }
        if (entry == null) {
            AggregateRecord stored = rocksDb.get(aggregateId);
            if (stored == null) {
                return null;
            }
            entry = new Entry(aggregateId, stored);
            // read now: the hand passes it once before it can go, as it does a changed one (new
            // entries are appended where the hand may stand after an eviction)
            entry.referenced = true;
            synchronized (entries) {
                add(entry);
                resize(entry);
            }
            evictBeyondBudget();
            return new Cached(stored, null);  // what was read, even were it evicted (written, not dirty)
        }
        entry.referenced = true;
        return entry.record == null ? null : new Cached(entry.record, entry.state);
    }

    /**
     * Replaces the aggregate with {@code record} (never modified afterwards) and {@code state}, its
     * state decoded, or {@code null}; written to RocksDB at the next commit.
     */
    void update(String aggregateId, AggregateRecord record, SpecificRecord state) {
        count();
        ProcessorRecordContext origin = internalContext == null ? null : internalContext.recordContext();
        synchronized (entries) {
            Entry entry = entries.get(aggregateId);
            if (entry == null) {
                entry = new Entry(aggregateId, null);
                add(entry);
            }
            entry.referenced = true;
            entry.record = record;
            entry.state = state;
            entry.origin = origin;
            if (!entry.dirty) {
                entry.dirty = true;
                dirty.add(entry);
            }
            resize(entry);
        }
        evictBeyondBudget();
    }

    /** Entries cached now (a test's and the metrics' view). */
    int cachedCount() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Aggregates changed since the last commit and not written yet. */
    int dirtyCount() {
        synchronized (entries) {
            return (int) dirty.stream().filter(e -> e.dirty).count();
        }
    }

    private void count() {
        if (!counted) {
            counted = true;
            budget.opened();
        }
    }

    private void uncount() {
        if (counted) {
            counted = false;
            budget.closed();
        }
    }

    private void add(Entry entry) {
        entries.put(entry.key, entry);
        entry.slot = ring.size();
        ring.add(entry);
    }

    private void resize(Entry entry) {
        long before = entry.bytes;
        entry.bytes = entry.estimate();
        bytes += entry.bytes - before;
    }

    private void evictBeyondBudget() {
        long limit = budget.share();
        while (true) {
            Entry victim;
            synchronized (entries) {
                if (bytes <= limit || entries.size() <= 1) {
                    return;
                }
                // CLOCK: the first entry not read or changed since the hand last passed it
                while (true) {
                    if (hand >= ring.size()) {
                        hand = 0;
                    }
                    Entry candidate = ring.get(hand);
                    if (!candidate.referenced) {
                        victim = candidate;
                        break;
                    }
                    candidate.referenced = false;
                    hand++;
                }
            }
            if (victim.dirty) {
                writeBack(victim);  // still in the map meanwhile: readers see it until RocksDB has it
            }
            synchronized (entries) {
                entries.remove(victim.key);
                Entry last = ring.remove(ring.size() - 1);
                if (last != victim) {
                    ring.set(victim.slot, last);
                    last.slot = victim.slot;
                }
                hand = victim.slot + 1;  // the entry moved into the slot waits a round, as a new one does
                bytes -= victim.bytes;
                // the list of changed entries may still hold it until the commit: not its aggregate
                victim.record = null;
                victim.state = null;
            }
        }
    }

    /** Writes a dirty entry to RocksDB (and its changelog) under the record context it was changed in. */
    private void writeBack(Entry entry) {
        AggregateRecord record;
        ProcessorRecordContext origin;
        synchronized (entries) {
            record = entry.record;
            origin = entry.origin;
            entry.dirty = false;
            entry.origin = null;
        }
        ProcessorRecordContext current = internalContext == null ? null : internalContext.recordContext();
        if (origin != null) {
            internalContext.setRecordContext(origin);
        }
        try {
            if (record == null) {
                rocksDb.delete(entry.key);
            } else {
                rocksDb.put(entry.key, record);
            }
        } finally {
            if (origin != null) {
                internalContext.setRecordContext(current);
            }
        }
    }

    // ---- CachedStateStore: Kafka Streams flushes the cache before it commits ----

    @Override
    public void flushCache() {
        List<Entry> changed;
        synchronized (entries) {
            changed = new ArrayList<>(dirty);
            dirty.clear();
        }
        for (Entry entry : changed) {
            if (entry.dirty) {
                writeBack(entry);
            }
        }
    }

    @Override
    public void clearCache() {
        synchronized (entries) {
            entries.clear();
            ring.clear();
            hand = 0;
            dirty.clear();
            bytes = 0;
        }
        uncount();  // Kafka Streams clears it when the task becomes a standby
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, AggregateRecord> listener, boolean sendOldValues) {
        return false;
    }

    // ---- StateStore ----

    @Override
    public String name() {
        return rocksDb.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        internalContext = context instanceof InternalProcessorContext<?, ?> internal ? internal : null;
        rocksDb.init(context, root);
    }

    @Override
    public void flush() {
        flushCache();
        rocksDb.flush();
    }

    @Override
    public void commit(Map<org.apache.kafka.common.TopicPartition, Long> changelogOffsets) {
        flushCache();
        rocksDb.commit(changelogOffsets);
    }

    /**
     * RocksDB keeps its changelog offsets itself (KIP-1035), committed with its data: delegated, or
     * Kafka Streams would wrap this store in a checkpoint file it never writes under exactly-once, and
     * a killed instance would restore the whole changelog instead of its tail.
     */
    @Override
    public boolean managesOffsets() {
        return rocksDb.managesOffsets();
    }

    @Override
    public Long committedOffset(org.apache.kafka.common.TopicPartition partition) {
        return rocksDb.committedOffset(partition);
    }

    /** What the transactional RocksDB store holds uncommitted: Kafka Streams commits early above its limit. */
    @Override
    public long approximateNumUncommittedBytes() {
        return rocksDb.approximateNumUncommittedBytes();
    }

    @Override
    public void close() {
        clearCache();
        rocksDb.close();
    }

    @Override
    public boolean persistent() {
        return rocksDb.persistent();
    }

    @Override
    public boolean isOpen() {
        return rocksDb.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return rocksDb.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return rocksDb.getPosition();
    }

    // ---- KeyValueStore: interactive queries and tests ----

    /** A copy of the aggregate as the processor has it now, committed or not. */
    @Override
    public AggregateRecord get(String aggregateId) {
        synchronized (entries) {
            Entry entry = entries.get(aggregateId);
            if (entry != null) {
                return copy(entry.record);
            }
        }
        return rocksDb.get(aggregateId);
    }

    @Override
    public void put(String aggregateId, AggregateRecord record) {
        update(aggregateId, record, null);
    }

    @Override
    public AggregateRecord putIfAbsent(String aggregateId, AggregateRecord record) {
        Cached current = cached(aggregateId);
        if (current == null) {
            put(aggregateId, record);
            return null;
        }
        return copy(current.record());
    }

    @Override
    public void putAll(List<KeyValue<String, AggregateRecord>> records) {
        records.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public AggregateRecord delete(String aggregateId) {
        Cached current = cached(aggregateId);
        update(aggregateId, null, null);
        return current == null ? null : copy(current.record());
    }

    @Override
    public KeyValueIterator<String, AggregateRecord> range(String from, String to) {
        return merged(from, to, rocksDb.range(from, to));
    }

    @Override
    public KeyValueIterator<String, AggregateRecord> all() {
        return merged(null, null, rocksDb.all());
    }

    @Override
    public long approximateNumEntries() {
        return rocksDb.approximateNumEntries();
    }

    /**
     * RocksDB's entries in [from, to] (nulls: open ends), overridden by those not written yet, in
     * RocksDB's order (the ids' UTF-8 bytes).
     */
    private KeyValueIterator<String, AggregateRecord> merged(String from, String to,
                                                             KeyValueIterator<String, AggregateRecord> stored) {
        Bytes low = from == null ? null : utf8(from);
        Bytes high = to == null ? null : utf8(to);
        TreeMap<Bytes, KeyValue<String, AggregateRecord>> pending = new TreeMap<>();
        synchronized (entries) {
            for (Entry entry : dirty) {
                Bytes key = utf8(entry.key);
                if (entry.dirty && (low == null || key.compareTo(low) >= 0) && (high == null || key.compareTo(high) <= 0)) {
                    pending.put(key, KeyValue.pair(entry.key, copy(entry.record)));
                }
            }
        }
        return new MergedIterator(stored, pending.values().iterator());
    }

    private static Bytes utf8(String key) {
        return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    private static AggregateRecord copy(AggregateRecord record) {
        return record == null ? null : AggregateRecord.newBuilder(record).build();
    }

    /** A cached aggregate; its fields change under the map's lock. */
    private static final class Entry {
        final String key;
        AggregateRecord record;   // null: deleted, not written yet
        SpecificRecord state;     // record's state decoded, or null
        ProcessorRecordContext origin;
        boolean dirty;
        /** Read or changed since the eviction's hand last passed. */
        boolean referenced;
        int slot;
        long bytes;

        Entry(String key, AggregateRecord record) {
            this.key = key;
            this.record = record;
        }

        long estimate() {
            long stateBytes = record == null ? 0 : record.getState().remaining();
            return ENTRY_OVERHEAD_BYTES + 2L * key.length() + stateBytes * (state == null ? 1 : 3);
        }
    }

    /** RocksDB's iterator with the pending writes merged in; a pending {@code null} hides the stored entry. */
    private static final class MergedIterator implements KeyValueIterator<String, AggregateRecord> {
        private final KeyValueIterator<String, AggregateRecord> stored;
        private final Iterator<KeyValue<String, AggregateRecord>> pending;
        private KeyValue<String, AggregateRecord> nextStored;
        private Bytes nextStoredKey;
        private KeyValue<String, AggregateRecord> nextPending;
        private Bytes nextPendingKey;
        private KeyValue<String, AggregateRecord> next;

        MergedIterator(KeyValueIterator<String, AggregateRecord> stored, Iterator<KeyValue<String, AggregateRecord>> pending) {
            this.stored = stored;
            this.pending = pending;
            advanceStored();
            advancePending();
        }

        private void advanceStored() {
            nextStored = stored.hasNext() ? stored.next() : null;
            nextStoredKey = nextStored == null ? null : utf8(nextStored.key);
        }

        private void advancePending() {
            nextPending = pending.hasNext() ? pending.next() : null;
            nextPendingKey = nextPending == null ? null : utf8(nextPending.key);
        }

        @Override
        public boolean hasNext() {
            while (next == null && (nextStored != null || nextPending != null)) {
                int order = nextStored == null ? 1 : nextPending == null ? -1 : nextStoredKey.compareTo(nextPendingKey);
                if (order < 0) {
                    next = nextStored;
                    advanceStored();
                } else {
                    if (order == 0) {
                        advanceStored();
                    }
                    next = nextPending.value == null ? null : nextPending;
                    advancePending();
                }
            }
            return next != null;
        }

        @Override
        public KeyValue<String, AggregateRecord> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<String, AggregateRecord> result = next;
            next = null;
            return result;
        }

        @Override
        public String peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next.key;
        }

        @Override
        public void close() {
            stored.close();
        }
    }

    /** The cache's budget in bytes, shared by the stores (tasks) of one Kafka Streams instance. */
    static final class Budget {
        private final long maxBytes;
        private final AtomicInteger stores = new AtomicInteger();

        Budget(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        long share() {
            return maxBytes / Math.max(1, stores.get());
        }

        void opened() {
            stores.incrementAndGet();
        }

        void closed() {
            stores.decrementAndGet();
        }
    }

    private static final class Builder implements StoreBuilder<AggregateStore> {
        private final StoreBuilder<KeyValueStore<String, AggregateRecord>> inner;
        private final Budget budget;

        Builder(StoreBuilder<KeyValueStore<String, AggregateRecord>> inner, Budget budget) {
            this.inner = inner;
            this.budget = budget;
        }

        @Override
        public StoreBuilder<AggregateStore> withCachingEnabled() {
            return this;  // the object cache is the store's own
        }

        @Override
        public StoreBuilder<AggregateStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<AggregateStore> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<AggregateStore> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public AggregateStore build() {
            return new AggregateStore(inner.build(), budget);
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
