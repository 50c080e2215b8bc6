package io.snapshotter.dynamodb;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.snapshot.CorruptSnapshotException;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.snapshot.SnapshotPage;
import io.snapshotter.snapshot.SnapshotHistory;
import io.snapshotter.snapshot.StoredSnapshot;
import java.util.HashMap;
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
 * first, and one version. Every item is checked before it is returned: the checksum over the state
 * bytes as stored, the decompression, the decoding of the state with its registered schema.
 */
public final class DynamoDbSnapshotHistory implements SnapshotHistory {

    private final DynamoDbClient client;
    private final String table;
    private final AvroWireCodec codec;

    public DynamoDbSnapshotHistory(DynamoDbClient client, String table, AvroWireCodec codec) {
        this.client = client;
        this.table = table;
        this.codec = codec;
    }

    @Override
    public Optional<StoredSnapshot> latest(String aggregateId) {
        return newestFirst(aggregateId, 1, null).stream().findFirst().map(this::verified);
    }

    @Override
    public SnapshotPage history(String aggregateId, int limit, Long beforeVersion) {
        List<Map<String, AttributeValue>> items = newestFirst(aggregateId, limit + 1, beforeVersion);
        List<StoredSnapshot> page = items.stream().limit(limit).map(this::verified).toList();
        Long next = items.size() > limit ? page.get(page.size() - 1).snapshot().getVersion() : null;
        return new SnapshotPage(page, next);
    }

    @Override
    public Optional<StoredSnapshot> at(String aggregateId, long version) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).consistentRead(true)
            .key(Map.of(SnapshotItems.AGGREGATE_ID, SnapshotItems.s(aggregateId),
                SnapshotItems.VERSION, SnapshotItems.n(version)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(verified(item));
    }

    /**
     * Every snapshot in the table, in no particular order, as stored (state not yet verified): a
     * paginated Scan, for replay's seeding, which needs all aggregates and cannot know their ids.
     */
    public void forEachSnapshot(Consumer<Snapshot> action) {
        client.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build())
            .items().forEach(item -> action.accept(SnapshotItems.fromItem(item)));
    }

    private List<Map<String, AttributeValue>> newestFirst(String aggregateId, int limit, Long beforeVersion) {
        Map<String, AttributeValue> values = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        values.put(":id", SnapshotItems.s(aggregateId));
        names.put("#id", SnapshotItems.AGGREGATE_ID);
        String condition = "#id = :id";
        if (beforeVersion != null) {
            condition += " AND #v < :before";
            values.put(":before", SnapshotItems.n(beforeVersion));
            names.put("#v", SnapshotItems.VERSION);
        }
        return client.query(QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .scanIndexForward(false)
                .limit(limit)
                .consistentRead(true)
                .build())
            .items();
    }

    private StoredSnapshot verified(Map<String, AttributeValue> item) {
        Snapshot snapshot;
        try {
            snapshot = SnapshotItems.fromItem(item);
        } catch (IllegalArgumentException e) {
            AttributeValue id = item.get(SnapshotItems.AGGREGATE_ID);
            AttributeValue version = item.get(SnapshotItems.VERSION);
            throw new CorruptSnapshotException(id == null ? "?" : id.s(), version == null ? -1 : Long.parseLong(version.n()),
                e.getMessage());
        }
        byte[] state = SnapshotFactory.verifiedState(snapshot);
        try {
            return new StoredSnapshot(snapshot, codec.decode(state, codec.writerSchemaOf(state)));
        } catch (SerializationException e) {
            throw new CorruptSnapshotException(snapshot.getAggregateId(), snapshot.getVersion(),
                "state does not decode: " + e.getMessage());
        }
    }
}
