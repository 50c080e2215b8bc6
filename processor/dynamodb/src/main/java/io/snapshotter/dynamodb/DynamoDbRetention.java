package io.snapshotter.dynamodb;

import io.snapshotter.snapshot.SnapshotRetention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Keeps the newest K snapshots per aggregate. {@link #prune} queries one aggregate's heads, newest
 * first, and deletes those past K with their chunks. The writer calls {@link #pruneAfterWrite} with
 * the aggregates it wrote, so the table never needs scanning for that; it remembers each aggregate's
 * heads while it owns the aggregate's partition, so that a snapshot costs DynamoDB a put and, past K,
 * a delete (the deletes of many aggregates sharing a {@code BatchWriteItem}), not a consistent query
 * as well. Once an aggregate has a snapshot of the fold
 * version folding its type now ({@link ProcessorFacts}), its snapshots of other fold versions are
 * superseded: deleted, and not counted in K, so a replay with a changed fold never loses its
 * corrected snapshots to the old fold's newer ones. {@link #sweep} pages through the whole table for
 * aggregates left over K (written before retention was lowered, say), at a bounded rate.
 */
public final class DynamoDbRetention implements SnapshotRetention {

    /** Waits, for the sweep's rate limit; a test's records the waits instead. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private static final String HEAD_ATTRIBUTES = "#id, #v, #t, #f, #c";
    private static final Map<String, String> HEAD_NAMES = Map.of("#id", SnapshotItems.AGGREGATE_ID,
        "#v", SnapshotItems.VERSION, "#t", SnapshotItems.AGGREGATE_TYPE, "#f", SnapshotItems.FOLD_VERSION,
        "#c", SnapshotItems.CHUNKS);

    private final DynamoDbClient client;
    private final DynamoDbSettings settings;
    private final BatchWriter writer;
    private final ProcessorFacts facts;
    private final Sleeper sleeper;
    private final LongSupplier nanoTime;

    DynamoDbRetention(DynamoDbClient client, DynamoDbSettings settings, BatchWriter writer, ProcessorFacts facts) {
        this(client, settings, writer, facts, duration -> Thread.sleep(duration.toMillis()), System::nanoTime);
    }

    DynamoDbRetention(DynamoDbClient client, DynamoDbSettings settings, BatchWriter writer, ProcessorFacts facts,
                      Sleeper sleeper, LongSupplier nanoTime) {
        this(client, settings, writer, facts, sleeper, nanoTime, new AtomicLong());
    }

    private DynamoDbRetention(DynamoDbClient client, DynamoDbSettings settings, BatchWriter writer, ProcessorFacts facts,
                              Sleeper sleeper, LongSupplier nanoTime, AtomicLong sweeps) {
        this.client = client;
        this.settings = settings;
        this.writer = writer;
        this.facts = facts;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
        this.sweeps = sweeps;
        int capacity = settings.retentionCacheAggregates();
        this.known = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * This retention deleting through {@code writer} (the sink's, which stops with its relay): the
     * writer's, which knows of this one's sweeps.
     */
    DynamoDbRetention writingWith(BatchWriter writer) {
        return new DynamoDbRetention(client, settings, writer, facts, sleeper, nanoTime, sweeps);
    }

    /**
     * One snapshot's head as retention sees it: its version, type, fold version (null when the item
     * has none) and chunk count.
     */
    record Head(long version, String type, Integer foldVersion, int chunks) {
        static Head of(Map<String, AttributeValue> item) {
            AttributeValue type = item.get(SnapshotItems.AGGREGATE_TYPE);
            AttributeValue fold = item.get(SnapshotItems.FOLD_VERSION);
            return new Head(Long.parseLong(item.get(SnapshotItems.VERSION).n()), type == null ? null : type.s(),
                fold == null ? null : Integer.valueOf(fold.n()), SnapshotItems.chunkCount(item));
        }
    }

    /** What the writer knows of an aggregate's heads (newest first), and under which ownership and sweep count it learnt it. */
    private record Known(long ownership, long sweeps, List<Head> heads) {
    }

    /**
     * The writer's knowledge of aggregates' heads, so that pruning after a write needs no query: the
     * aggregate's partition is the writer's alone while it owns it ({@link io.snapshotter.sink.SinkContext#ownership}),
     * so what it read and wrote since is what the table holds. Least recently written evicted first.
     * The writer's groups touch it side by side (each its own aggregates), under its lock.
     */
    private final Map<String, Known> known;
    /** Sweeps started and finished: odd while one runs. What was learnt under another count is read again. */
    private final AtomicLong sweeps;

    /** Deletes the snapshots of {@code aggregateId} beyond the newest K, and superseded ones; returns how many. */
    int prune(String aggregateId, Runnable whileWaiting) {
        Pruning pruning = plan(aggregateId, query(aggregateId));
        writer.writeAll(pruning.deletes(), whileWaiting);
        return pruning.deleted().size();
    }

    /** What the writer put of one aggregate: its heads, under {@code ownership} of its partition. */
    record Written(long ownership, List<Head> heads) {
    }

    /**
     * After the writer put {@code written} (by aggregate): deletes, of each aggregate, what is beyond
     * the newest K, and superseded ones, and returns how many. The deletes of all the aggregates go
     * together, {@code dynamodb.batch.size} to a {@code BatchWriteItem}. An aggregate's heads are
     * queried only when the writer does not know them under this ownership (the first write since it
     * gained the partition, an evicted aggregate, a sweep since); a failed query is retried.
     */
    int pruneAfterWrite(Map<String, Written> written, Runnable whileWaiting) {
        List<Learnt> learnt = new ArrayList<>(written.size());
        List<WriteRequest> deletes = new ArrayList<>();
        int deleted = 0;
        for (Map.Entry<String, Written> aggregate : written.entrySet()) {
            String aggregateId = aggregate.getKey();
            Learnt pruned = writer.retrying("pruning '" + aggregateId + "'",
                () -> planAfterWrite(aggregateId, aggregate.getValue()), whileWaiting);
            learnt.add(pruned);
            deletes.addAll(pruned.pruning().deletes());
            deleted += pruned.pruning().deleted().size();
        }
        writer.writeAll(deletes, whileWaiting);
        // known only once the table has it: a failed delete leaves the aggregate to be queried again
        synchronized (known) {
            learnt.forEach(pruned -> known.put(pruned.aggregateId(), pruned.known()));
        }
        return deleted;
    }

    /** Of one aggregate: the heads to delete and the requests deleting them (each head before its chunks). */
    private record Pruning(List<Head> deleted, List<WriteRequest> deletes) {
    }

    /** An aggregate's pruning, and what the writer knows of it once its deletes are done. */
    private record Learnt(String aggregateId, Pruning pruning, Known known) {
    }

    private Learnt planAfterWrite(String aggregateId, Written written) {
        long sweepCount = sweeps.get();
        Known before;
        synchronized (known) {
            before = known.get(aggregateId);
        }
        List<Head> heads;
        if (before != null && before.ownership() == written.ownership() && before.sweeps() == sweepCount
                && sweepCount % 2 == 0) {
            TreeMap<Long, Head> merged = new TreeMap<>(Comparator.reverseOrder());
            before.heads().forEach(head -> merged.put(head.version(), head));
            written.heads().forEach(head -> merged.put(head.version(), head));
            heads = new ArrayList<>(merged.values());
        } else {
            heads = query(aggregateId);
        }
        Pruning pruning = plan(aggregateId, heads);
        List<Head> kept = new ArrayList<>(heads);
        kept.removeAll(pruning.deleted());
        return new Learnt(aggregateId, pruning, new Known(written.ownership(), sweepCount, List.copyOf(kept)));
    }

    /** The heads of {@code aggregateId} in the table, newest first. */
    private List<Head> query(String aggregateId) {
        List<Head> heads = new ArrayList<>();
        client.queryPaginator(QueryRequest.builder()
                .tableName(settings.table())
                .keyConditionExpression("#id = :id AND #v >= :zero")
                .expressionAttributeNames(HEAD_NAMES)
                .expressionAttributeValues(Map.of(":id", SnapshotItems.s(aggregateId), ":zero", SnapshotItems.n(0)))
                .projectionExpression(HEAD_ATTRIBUTES)
                .scanIndexForward(false)
                .consistentRead(true)
                .build())
            .items().forEach(item -> heads.add(Head.of(item)));
        return heads;
    }

    /** Of {@code heads} (newest first), those beyond the newest K and superseded ones, to delete. */
    private Pruning plan(String aggregateId, List<Head> heads) {
        boolean hasCurrentFold = heads.stream().anyMatch(this::isPreferredFold);
        List<WriteRequest> deletes = new ArrayList<>();
        List<Head> deleted = new ArrayList<>();
        int kept = 0;
        for (Head head : heads) {
            boolean superseded = hasCurrentFold && !isPreferredFold(head) && prefersAVersion(head);
            if (!superseded && ++kept <= settings.keep()) {
                continue;
            }
            deleted.add(head);
            // the head first: a reader then never finds a head whose chunks are going
            deletes.add(delete(Map.of(SnapshotItems.AGGREGATE_ID, SnapshotItems.s(aggregateId),
                SnapshotItems.VERSION, SnapshotItems.n(head.version()))));
            if (head.chunks() > 0) {
                chunkKeys(aggregateId, head.version()).forEach(key -> deletes.add(delete(key)));
            }
        }
        return new Pruning(deleted, deletes);
    }

    /**
     * Pages through the table's heads at most {@code dynamodb.retention.sweep.items.per.second}
     * items a second, pruning each aggregate that has more than K or superseded ones. A scan returns
     * an aggregate's items together (they share a partition, sorted by version), so one aggregate's
     * count is all the sweep holds: its memory does not grow with the table.
     */
    @Override
    public SweepResult sweep() {
        sweeps.incrementAndGet();
        try {
            return sweepTable();
        } finally {
            sweeps.incrementAndGet();
        }
    }

    private SweepResult sweepTable() {
        int pageItems = Math.min(1000, settings.sweepItemsPerSecond());
        Sweep sweep = new Sweep();
        Map<String, AttributeValue> start = null;
        do {
            long pageStarted = nanoTime.getAsLong();
            ScanRequest.Builder scan = ScanRequest.builder()
                .tableName(settings.table())
                .filterExpression("#v >= :zero")
                .projectionExpression(HEAD_ATTRIBUTES)
                .expressionAttributeNames(HEAD_NAMES)
                .expressionAttributeValues(Map.of(":zero", SnapshotItems.n(0)))
                .limit(pageItems);
            if (start != null) {
                scan.exclusiveStartKey(start);
            }
            ScanResponse page = client.scan(scan.build());
            for (Map<String, AttributeValue> head : page.items()) {
                sweep.add(head.get(SnapshotItems.AGGREGATE_ID).s(), Head.of(head));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            if (start != null) {
                pace(page.scannedCount(), pageStarted);
            }
        } while (start != null);
        sweep.finishAggregate();
        return new SweepResult(sweep.scanned, sweep.pruned, sweep.deleted);
    }

    /** Waits out what is left of the time {@code items} take at the sweep's rate. */
    private void pace(int items, long pageStarted) {
        long due = items * 1_000_000_000L / settings.sweepItemsPerSecond();
        long left = due - (nanoTime.getAsLong() - pageStarted);
        if (left > 0) {
            try {
                sleeper.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("retention sweep interrupted", e);
            }
        }
    }

    /** The sweep's counts and the aggregate it is on. */
    private final class Sweep {
        long scanned;
        long pruned;
        long deleted;
        private String aggregateId;
        private int heads;
        private boolean otherFoldVersions;

        void add(String id, Head head) {
            scanned++;
            if (!id.equals(aggregateId)) {
                finishAggregate();
                aggregateId = id;
            }
            heads++;
            otherFoldVersions |= prefersAVersion(head) && !isPreferredFold(head);
        }

        void finishAggregate() {
            if (aggregateId != null && (heads > settings.keep() || otherFoldVersions)) {
                int n = prune(aggregateId, () -> { });
                if (n > 0) {
                    pruned++;
                    deleted += n;
                }
            }
            aggregateId = null;
            heads = 0;
            otherFoldVersions = false;
        }
    }

    private List<Map<String, AttributeValue>> chunkKeys(String aggregateId, long version) {
        List<AttributeValue> range = SnapshotItems.chunkRange(version);
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        client.queryPaginator(QueryRequest.builder()
                .tableName(settings.table())
                .keyConditionExpression("#id = :id AND #v BETWEEN :low AND :high")
                .expressionAttributeNames(Map.of("#id", SnapshotItems.AGGREGATE_ID, "#v", SnapshotItems.VERSION))
                .expressionAttributeValues(Map.of(":id", SnapshotItems.s(aggregateId), ":low", range.get(0),
                    ":high", range.get(1)))
                .projectionExpression("#id, #v")
                .consistentRead(true)
                .build())
            .items().forEach(keys::add);
        return keys;
    }

    private boolean prefersAVersion(Head head) {
        return head.type() != null && facts.prefersAVersionOf(head.type());
    }

    /** Of the fold version its type prefers (false for a type with none preferred). */
    private boolean isPreferredFold(Head head) {
        return prefersAVersion(head) && head.foldVersion() != null && facts.isCurrent(head.type(), head.foldVersion());
    }

    private static WriteRequest delete(Map<String, AttributeValue> key) {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build();
    }
}
