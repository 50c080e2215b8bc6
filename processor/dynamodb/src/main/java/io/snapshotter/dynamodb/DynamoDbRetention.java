package io.snapshotter.dynamodb;

import io.snapshotter.snapshot.SnapshotRetention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * first, and deletes those past K with their chunks: the writer calls it for each aggregate it
 * writes, so the table never needs scanning for that. Once an aggregate has a snapshot of the fold
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
        this.client = client;
        this.settings = settings;
        this.writer = writer;
        this.facts = facts;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
    }

    /** Deletes the snapshots of {@code aggregateId} beyond the newest K, and superseded ones; returns how many. */
    int prune(String aggregateId, Runnable whileWaiting) {
        List<Map<String, AttributeValue>> heads = new ArrayList<>();
        client.queryPaginator(QueryRequest.builder()
                .tableName(settings.table())
                .keyConditionExpression("#id = :id AND #v >= :zero")
                .expressionAttributeNames(HEAD_NAMES)
                .expressionAttributeValues(Map.of(":id", SnapshotItems.s(aggregateId), ":zero", SnapshotItems.n(0)))
                .projectionExpression(HEAD_ATTRIBUTES)
                .scanIndexForward(false)
                .consistentRead(true)
                .build())
            .items().forEach(heads::add);
        boolean hasCurrentFold = heads.stream().anyMatch(this::isPreferredFold);
        List<WriteRequest> deletes = new ArrayList<>();
        int kept = 0;
        int deleted = 0;
        for (Map<String, AttributeValue> head : heads) {
            boolean superseded = hasCurrentFold && !isPreferredFold(head) && prefersAVersion(head);
            if (!superseded && ++kept <= settings.keep()) {
                continue;
            }
            deleted++;
            // the head first: a reader then never finds a head whose chunks are going
            deletes.add(delete(Map.of(SnapshotItems.AGGREGATE_ID, head.get(SnapshotItems.AGGREGATE_ID),
                SnapshotItems.VERSION, head.get(SnapshotItems.VERSION))));
            if (SnapshotItems.chunkCount(head) > 0) {
                chunkKeys(aggregateId, Long.parseLong(head.get(SnapshotItems.VERSION).n()))
                    .forEach(key -> deletes.add(delete(key)));
            }
        }
        writer.writeAll(deletes, whileWaiting);
        return deleted;
    }

    /**
     * Pages through the table's heads at most {@code dynamodb.retention.sweep.items.per.second}
     * items a second, pruning each aggregate that has more than K or superseded ones. A scan returns
     * an aggregate's items together (they share a partition, sorted by version), so one aggregate's
     * count is all the sweep holds: its memory does not grow with the table.
     */
    @Override
    public SweepResult sweep() {
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
                sweep.add(head);
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

        void add(Map<String, AttributeValue> head) {
            scanned++;
            String id = head.get(SnapshotItems.AGGREGATE_ID).s();
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

    private boolean prefersAVersion(Map<String, AttributeValue> head) {
        AttributeValue type = head.get(SnapshotItems.AGGREGATE_TYPE);
        return type != null && facts.prefersAVersionOf(type.s());
    }

    /** Of the fold version its type prefers (false for a type with none preferred). */
    private boolean isPreferredFold(Map<String, AttributeValue> head) {
        AttributeValue fold = head.get(SnapshotItems.FOLD_VERSION);
        return prefersAVersion(head) && fold != null
            && facts.isCurrent(head.get(SnapshotItems.AGGREGATE_TYPE).s(), Integer.parseInt(fold.n()));
    }

    private static WriteRequest delete(Map<String, AttributeValue> key) {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build();
    }
}
