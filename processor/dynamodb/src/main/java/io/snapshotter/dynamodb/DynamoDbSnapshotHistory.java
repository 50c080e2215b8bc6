package io.snapshotter.dynamodb;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.snapshot.CorruptSnapshotException;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.snapshot.SnapshotHistory;
import io.snapshotter.snapshot.SnapshotPage;
import io.snapshotter.snapshot.StoredSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.SerializationException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Reads snapshots from the table: the seed design's {@code getLatestSnapshot}, the history newest
 * first, and one version. Every snapshot is checked before it is returned: complete (a chunked one
 * has all its chunks, of the same write), the checksum over the state bytes as stored, the
 * decompression (bounded), the decoding of the state with its registered schema. A snapshot missing
 * chunks (its write not finished) is absent; a corrupt one is never returned as good.
 *
 * <p>Snapshots of an aggregate made by another fold version than the one folding its type now (see
 * {@link ProcessorFacts}) are superseded once the aggregate has one of the current version: a replay
 * with a changed fold makes those, and the old fold's may be newer.
 */
public final class DynamoDbSnapshotHistory implements SnapshotHistory {

    /** Heads per query page for {@link #latest}: usually the first is the answer. */
    private static final int LATEST_PAGE = 10;

    private final DynamoDbClient client;
    private final String table;
    private final AvroWireCodec codec;
    private final ProcessorFacts facts;

    public DynamoDbSnapshotHistory(DynamoDbClient client, String table, AvroWireCodec codec) {
        this(client, table, codec, ProcessorFacts.NONE);
    }

    public DynamoDbSnapshotHistory(DynamoDbClient client, String table, AvroWireCodec codec, ProcessorFacts facts) {
        this.client = client;
        this.table = table;
        this.codec = codec;
        this.facts = facts;
    }

    /**
     * The newest complete snapshot of the current fold version; without one, the newest complete one
     * of any.
     *
     * @throws CorruptSnapshotException if that snapshot is corrupt
     */
    @Override
    public Optional<StoredSnapshot> latest(String aggregateId) {
        List<Map<String, AttributeValue>> otherFoldVersions = new ArrayList<>();
        for (Map<String, AttributeValue> head : heads(aggregateId, null, LATEST_PAGE)) {
            if (!isCurrentFold(head)) {
                otherFoldVersions.add(head);
                continue;
            }
            Optional<StoredSnapshot> read = read(head);
            if (read.isPresent()) {
                return read;
            }
        }
        for (Map<String, AttributeValue> head : otherFoldVersions) {
            Optional<StoredSnapshot> read = read(head);
            if (read.isPresent()) {
                return read;
            }
        }
        return Optional.empty();
    }

    /**
     * Up to {@code limit} snapshots below {@code beforeVersion}, newest first, however many query
     * pages that takes; a corrupt one takes its place in the page as {@link SnapshotPage.Corrupt},
     * incomplete and superseded ones are left out.
     */
    @Override
    public SnapshotPage history(String aggregateId, int limit, Long beforeVersion) {
        List<StoredSnapshot> snapshots = new ArrayList<>();
        List<SnapshotPage.Corrupt> corrupt = new ArrayList<>();
        Boolean hasCurrentFold = null;
        long last = -1;
        Iterator<Map<String, AttributeValue>> heads = heads(aggregateId, beforeVersion, limit + 1).iterator();
        while (heads.hasNext()) {
            Map<String, AttributeValue> head = heads.next();
            if (!isCurrentFold(head)) {
                if (hasCurrentFold == null) {
                    hasCurrentFold = hasCurrentFold(aggregateId);
                }
                if (hasCurrentFold) {
                    continue;
                }
            }
            if (snapshots.size() + corrupt.size() == limit) {
                return new SnapshotPage(snapshots, corrupt, last);
            }
            try {
                Optional<StoredSnapshot> read = read(head);
                if (read.isEmpty()) {
                    continue;
                }
                snapshots.add(read.get());
            } catch (CorruptSnapshotException e) {
                corrupt.add(new SnapshotPage.Corrupt(versionOf(head), e.getMessage()));
            }
            last = versionOf(head);
        }
        return new SnapshotPage(snapshots, corrupt, null);
    }

    /** The snapshot at exactly {@code version}, of whichever fold version; empty while incomplete. */
    @Override
    public Optional<StoredSnapshot> at(String aggregateId, long version) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).consistentRead(true)
            .key(Map.of(SnapshotItems.AGGREGATE_ID, SnapshotItems.s(aggregateId),
                SnapshotItems.VERSION, SnapshotItems.n(version)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : read(item);
    }

    /**
     * Every complete snapshot in the table, in no particular order, as stored (state not yet
     * verified): a paginated Scan, for replay's seeding, which needs all aggregates and cannot know
     * their ids.
     */
    public void forEachSnapshot(Consumer<Snapshot> action) {
        client.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true)
                .filterExpression("#v >= :zero")
                .expressionAttributeNames(Map.of("#v", SnapshotItems.VERSION))
                .expressionAttributeValues(Map.of(":zero", SnapshotItems.n(0)))
                .build())
            .items().forEach(head -> SnapshotItems.fromItems(head, chunksOf(head)).ifPresent(action));
    }

    /** The head items of {@code aggregateId} below {@code beforeVersion}, newest first, fetched lazily page by page. */
    private Iterable<Map<String, AttributeValue>> heads(String aggregateId, Long beforeVersion, int pageSize) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":id", SnapshotItems.s(aggregateId));
        values.put(":zero", SnapshotItems.n(0));
        String condition = "#id = :id AND #v >= :zero";
        if (beforeVersion != null) {
            condition = "#id = :id AND #v BETWEEN :zero AND :last";
            values.put(":last", SnapshotItems.n(beforeVersion - 1));
        }
        return client.queryPaginator(QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression(condition)
                .expressionAttributeNames(Map.of("#id", SnapshotItems.AGGREGATE_ID, "#v", SnapshotItems.VERSION))
                .expressionAttributeValues(values)
                .scanIndexForward(false)
                .limit(pageSize)
                .consistentRead(true)
                .build())
            .items();
    }

    /** Whether any snapshot of {@code aggregateId} is of the fold version folding its type now. */
    private boolean hasCurrentFold(String aggregateId) {
        for (Map<String, AttributeValue> head : heads(aggregateId, null, 100)) {
            if (isCurrentFold(head)) {
                return true;
            }
        }
        return false;
    }

    private boolean isCurrentFold(Map<String, AttributeValue> head) {
        AttributeValue type = head.get(SnapshotItems.AGGREGATE_TYPE);
        AttributeValue fold = head.get(SnapshotItems.FOLD_VERSION);
        // a malformed head is read (and reported corrupt), never silently skipped
        return type == null || fold == null || facts.isCurrent(type.s(), Integer.parseInt(fold.n()));
    }

    /** The chunk items of {@code head}'s version, none if it holds its state itself. */
    private List<Map<String, AttributeValue>> chunksOf(Map<String, AttributeValue> head) {
        if (SnapshotItems.chunkCount(head) == 0) {
            return List.of();
        }
        List<AttributeValue> range = SnapshotItems.chunkRange(versionOf(head));
        List<Map<String, AttributeValue>> chunks = new ArrayList<>();
        client.queryPaginator(QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#id = :id AND #v BETWEEN :low AND :high")
                .expressionAttributeNames(Map.of("#id", SnapshotItems.AGGREGATE_ID, "#v", SnapshotItems.VERSION))
                .expressionAttributeValues(Map.of(":id", head.get(SnapshotItems.AGGREGATE_ID),
                    ":low", range.get(0), ":high", range.get(1)))
                .consistentRead(true)
                .build())
            .items().forEach(chunks::add);
        return chunks;
    }

    /** The verified snapshot of {@code head}, empty while its chunks are incomplete. */
    private Optional<StoredSnapshot> read(Map<String, AttributeValue> head) {
        List<Map<String, AttributeValue>> chunks = chunksOf(head);
        Optional<Snapshot> assembled;
        try {
            assembled = SnapshotItems.fromItems(head, chunks);
        } catch (IllegalArgumentException e) {
            AttributeValue id = head.get(SnapshotItems.AGGREGATE_ID);
            throw new CorruptSnapshotException(id == null ? "?" : id.s(), versionOf(head), e.getMessage());
        }
        if (assembled.isEmpty()) {
            return Optional.empty();
        }
        Snapshot snapshot = assembled.get();
        byte[] state = SnapshotFactory.verifiedState(snapshot, facts.maxStateBytes());
        try {
            return Optional.of(new StoredSnapshot(snapshot, codec.decode(state, codec.writerSchemaOf(state))));
        } catch (SerializationException e) {
            throw new CorruptSnapshotException(snapshot.getAggregateId(), snapshot.getVersion(),
                "state does not decode: " + e.getMessage());
        }
    }

    private static long versionOf(Map<String, AttributeValue> head) {
        AttributeValue version = head.get(SnapshotItems.VERSION);
        return version == null ? -1 : Long.parseLong(version.n());
    }
}
