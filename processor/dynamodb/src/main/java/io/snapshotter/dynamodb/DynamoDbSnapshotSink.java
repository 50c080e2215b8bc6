package io.snapshotter.dynamodb;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.sink.SinkContext;
import io.snapshotter.sink.SinkRecord;
import io.snapshotter.sink.SnapshotSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The DynamoDB table as a {@link SnapshotSink}: each batch is written with {@code BatchWriteItem}
 * (retried until DynamoDB takes every item), then each written aggregate is pruned to the newest K
 * (retried alike; {@link DynamoDbRetention#pruneAfterWrite} queries the aggregate's versions only
 * when the writer does not know them already). A record whose partition a rebalance takes meanwhile
 * is left to its new owner ({@link SinkContext#owns}). Puts are keyed by (aggregateId, version), so rewriting a snapshot after a restart
 * or a replay leaves the same items. A state too large for one item is split over chunk items
 * ({@link SnapshotItems}); a snapshot whose head item alone is too large is reported as
 * {@link DeadLetterReason#SNAPSHOT_TOO_LARGE}; one DynamoDB refuses as invalid (any of its items) as
 * {@link DeadLetterReason#SNAPSHOT_REFUSED}, with DynamoDB's message. A missing table or refused
 * credentials throw {@link TableUnusableException}: the relay shows itself failing and restarts.
 */
public final class DynamoDbSnapshotSink implements SnapshotSink {

    public static final String NAME = "dynamodb";
    /** Kept below DynamoDB's item limit: {@link SnapshotItems#sizeOf} estimates (numbers, maps), it does not count. */
    static final int ITEM_SIZE_MARGIN = 4 * 1024;

    private final BatchWriter batches;
    private final DynamoDbRetention retention;
    /** The relay's context of the batch being written: its retries stop when the relay does. */
    private SinkContext context;

    /** @param retention the table's retention, whose sweeps this sink's retention hears of */
    DynamoDbSnapshotSink(DynamoDbClient client, DynamoDbSettings settings, MeterRegistry meters,
                         DynamoDbRetention retention) {
        this.batches = new BatchWriter(client, settings, () -> context == null || context.running(), meters);
        this.retention = retention.writingWith(batches);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int write(List<SinkRecord> batch, SinkContext context) {
        this.context = context;
        Map<List<AttributeValue>, SinkRecord> records = new LinkedHashMap<>();
        Map<List<AttributeValue>, WriteRequest> puts = new LinkedHashMap<>();
        Map<SinkRecord, Map<String, AttributeValue>> headItems = new IdentityHashMap<>();
        for (SinkRecord record : batch) {
            // chunks first, the head item last
            List<Map<String, AttributeValue>> items = SnapshotItems.toItems(record.snapshot());
            Map<String, AttributeValue> head = items.get(items.size() - 1);
            int size = SnapshotItems.sizeOf(head);
            if (size > SnapshotItems.MAX_ITEM_BYTES - ITEM_SIZE_MARGIN) {
                context.reportErrant(record, DeadLetterReason.SNAPSHOT_TOO_LARGE, "item of about " + size
                    + " bytes exceeds DynamoDB's " + SnapshotItems.MAX_ITEM_BYTES + "-byte limit (less a margin of "
                    + ITEM_SIZE_MARGIN + " for the estimate)");
                continue;
            }
            headItems.put(record, head);
            for (Map<String, AttributeValue> item : items) {
                // one request per key in a batch: DynamoDB refuses duplicates, and the last one wins anyway
                List<AttributeValue> key = keyOf(item);
                records.put(key, record);
                puts.put(key, WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
        }
        Set<SinkRecord> refused = Collections.newSetFromMap(new IdentityHashMap<>());
        batches.writeAll(new ArrayList<>(puts.values()), context::keepAlive, (request, error) -> {
            SinkRecord record = records.get(keyOf(request.putRequest().item()));
            if (refused.add(record)) {
                context.reportErrant(record, DeadLetterReason.SNAPSHOT_REFUSED, error);
            }
        }, request -> context.owns(records.get(keyOf(request.putRequest().item()))));
        // a record whose partition a rebalance took meanwhile is its new owner's to write and prune
        Set<SinkRecord> written = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, List<DynamoDbRetention.Head>> heads = new LinkedHashMap<>();
        Map<String, Long> ownerships = new HashMap<>();
        for (SinkRecord record : records.values()) {
            if (refused.contains(record) || !context.owns(record) || !written.add(record)) {
                continue;
            }
            String aggregateId = record.snapshot().getAggregateId();
            heads.computeIfAbsent(aggregateId, id -> new ArrayList<>()).add(DynamoDbRetention.Head.of(headItems.get(record)));
            ownerships.put(aggregateId, context.ownership(record));
        }
        heads.forEach((aggregateId, put) -> batches.retrying("pruning '" + aggregateId + "'",
            () -> retention.pruneAfterWrite(aggregateId, ownerships.get(aggregateId), put, context::keepAlive),
            context::keepAlive));
        return written.size();
    }

    private static List<AttributeValue> keyOf(Map<String, AttributeValue> item) {
        return List.of(item.get(SnapshotItems.AGGREGATE_ID), item.get(SnapshotItems.VERSION));
    }
}
