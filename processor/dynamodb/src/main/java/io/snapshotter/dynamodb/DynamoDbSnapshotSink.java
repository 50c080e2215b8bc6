package io.snapshotter.dynamodb;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.sink.SinkContext;
import io.snapshotter.sink.SinkRecord;
import io.snapshotter.sink.SnapshotSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The DynamoDB table as a {@link SnapshotSink}: each batch is written with {@code BatchWriteItem}
 * (retried until DynamoDB takes every item), then each written aggregate is pruned to the newest K.
 * Puts are keyed by (aggregateId, version), so rewriting a snapshot after a restart or a replay
 * leaves the same items. A state too large for one item is split over chunk items
 * ({@link SnapshotItems}); a snapshot whose head item alone is too large is reported as
 * {@link DeadLetterReason#SNAPSHOT_TOO_LARGE}.
 */
public final class DynamoDbSnapshotSink implements SnapshotSink {

    public static final String NAME = "dynamodb";

    private final BatchWriter batches;
    private final DynamoDbRetention retention;
    /** The relay's context of the batch being written: its retries stop when the relay does. */
    private SinkContext context;

    DynamoDbSnapshotSink(DynamoDbClient client, DynamoDbSettings settings, MeterRegistry meters, ProcessorFacts facts) {
        this.batches = new BatchWriter(client, settings, () -> context == null || context.running(), meters);
        this.retention = new DynamoDbRetention(client, settings, batches, facts);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int write(List<SinkRecord> batch, SinkContext context) {
        this.context = context;
        Map<List<AttributeValue>, WriteRequest> puts = new LinkedHashMap<>();
        Set<String> aggregates = new LinkedHashSet<>();
        for (SinkRecord record : batch) {
            List<Map<String, AttributeValue>> items = SnapshotItems.toItems(record.snapshot());
            int size = SnapshotItems.sizeOf(items.get(items.size() - 1));
            if (size > SnapshotItems.MAX_ITEM_BYTES) {
                context.reportErrant(record, DeadLetterReason.SNAPSHOT_TOO_LARGE, "item of about " + size
                    + " bytes exceeds DynamoDB's " + SnapshotItems.MAX_ITEM_BYTES + "-byte limit");
                continue;
            }
            for (Map<String, AttributeValue> item : items) {
                // one request per key in a batch: DynamoDB refuses duplicates, and the last one wins anyway
                puts.put(List.of(item.get(SnapshotItems.AGGREGATE_ID), item.get(SnapshotItems.VERSION)),
                    WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            aggregates.add(record.snapshot().getAggregateId());
        }
        batches.writeAll(new ArrayList<>(puts.values()), context::keepAlive);
        for (String aggregateId : aggregates) {
            retention.prune(aggregateId, context::keepAlive);
        }
        return puts.size();
    }
}
