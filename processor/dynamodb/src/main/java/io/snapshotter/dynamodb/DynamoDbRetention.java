package io.snapshotter.dynamodb;

import io.snapshotter.snapshot.SnapshotRetention;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Keeps the newest K snapshots per aggregate. {@link #prune} queries one aggregate's keys, newest
 * first, and deletes those past K: the writer calls it for each aggregate it writes, so the table
 * never needs scanning for that. {@link #sweep} pages through the whole table for aggregates left
 * over K (written before retention was lowered, say).
 */
public final class DynamoDbRetention implements SnapshotRetention {

    private final DynamoDbClient client;
    private final DynamoDbSettings settings;
    private final BatchWriter writer;

    DynamoDbRetention(DynamoDbClient client, DynamoDbSettings settings, BatchWriter writer) {
        this.client = client;
        this.settings = settings;
        this.writer = writer;
    }

    /** Deletes the snapshots of {@code aggregateId} beyond the newest K; returns how many. */
    int prune(String aggregateId, Runnable whileWaiting) {
        List<WriteRequest> deletes = new ArrayList<>();
        int seen = 0;
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder query = QueryRequest.builder()
                .tableName(settings.table())
                .keyConditionExpression("#id = :id")
                .expressionAttributeNames(Map.of("#id", SnapshotItems.AGGREGATE_ID, "#v", SnapshotItems.VERSION))
                .expressionAttributeValues(Map.of(":id", SnapshotItems.s(aggregateId)))
                .projectionExpression("#id, #v")
                .scanIndexForward(false)
                .consistentRead(true);
            if (start != null) {
                query.exclusiveStartKey(start);
            }
            QueryResponse page = client.query(query.build());
            for (Map<String, AttributeValue> key : page.items()) {
                if (++seen > settings.keep()) {
                    deletes.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build());
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        writer.writeAll(deletes, whileWaiting);
        return deletes.size();
    }

    @Override
    public SweepResult sweep() {
        Map<String, Integer> counts = new HashMap<>();
        long scanned = 0;
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder scan = ScanRequest.builder()
                .tableName(settings.table())
                .projectionExpression("#id")
                .expressionAttributeNames(Map.of("#id", SnapshotItems.AGGREGATE_ID));
            if (start != null) {
                scan.exclusiveStartKey(start);
            }
            ScanResponse page = client.scan(scan.build());
            for (Map<String, AttributeValue> item : page.items()) {
                counts.merge(item.get(SnapshotItems.AGGREGATE_ID).s(), 1, Integer::sum);
                scanned++;
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        long pruned = 0;
        long deleted = 0;
        for (Map.Entry<String, Integer> entry : counts.entrySet()) {
            if (entry.getValue() > settings.keep()) {
                pruned++;
                deleted += prune(entry.getKey(), () -> { });
            }
        }
        return new SweepResult(scanned, pruned, deleted);
    }
}
