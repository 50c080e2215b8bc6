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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The DynamoDB table as a {@link SnapshotSink}: each batch is written with {@code BatchWriteItem}
 * (retried until DynamoDB takes every item), then each written aggregate is pruned to the newest K
 * (retried alike; {@link DynamoDbRetention#pruneAfterWrite} queries the aggregate's versions only
 * when the writer does not know them already, and deletes in batches). A record whose partition a
 * rebalance takes meanwhile is left to its new owner ({@link SinkContext#owns}). Puts are keyed by
 * (aggregateId, version), so rewriting a snapshot after a restart or a replay leaves the same items. A
 * state too large for one item is split over chunk items ({@link SnapshotItems}); a snapshot whose
 * head item alone is too large is reported as {@link DeadLetterReason#SNAPSHOT_TOO_LARGE}; one
 * DynamoDB refuses as invalid (any of its items) as {@link DeadLetterReason#SNAPSHOT_REFUSED}, with
 * DynamoDB's message. A missing table or refused credentials throw {@link TableUnusableException}: the
 * relay shows itself failing and restarts.
 *
 * <p>Up to {@code dynamodb.writer.concurrency} calls are in flight: a batch is split by aggregate into
 * that many groups (an aggregate's snapshots all in one, in topic order, so its versions and its
 * retention are as if written alone), each written on a thread of the sink's. {@link #write} returns
 * once every group is written, so the relay commits nothing of a group still writing; a group that
 * fails stops the others at their next wait and fails the batch. The relay's context is called by one
 * group at a time, and its keep-alive polls only while no call is in flight ({@link BatchWriter}).
 */
public final class DynamoDbSnapshotSink implements SnapshotSink {

    public static final String NAME = "dynamodb";
    /** Kept below DynamoDB's item limit: {@link SnapshotItems#sizeOf} estimates (numbers, maps), it does not count. */
    static final int ITEM_SIZE_MARGIN = 4 * 1024;

    private final BatchWriter batches;
    private final DynamoDbRetention retention;
    private final int concurrency;
    /** The groups' threads, started with the first batch of more than one group. */
    private ExecutorService groups;
    /** The context of the batch being written: its retries stop when the relay does, or a group failed. */
    private volatile GroupsContext context;

    /** @param retention the table's retention, whose sweeps this sink's retention hears of */
    DynamoDbSnapshotSink(DynamoDbClient client, DynamoDbSettings settings, MeterRegistry meters,
                         DynamoDbRetention retention) {
        this.batches = new BatchWriter(client, settings, () -> {
            GroupsContext current = context;
            return current == null || current.running();
        }, meters);
        this.retention = retention.writingWith(batches);
        this.concurrency = settings.writerConcurrency();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int write(List<SinkRecord> batch, SinkContext relay) {
        GroupsContext context = new GroupsContext(relay);
        this.context = context;
        List<List<SinkRecord>> byGroup = new ArrayList<>();
        for (int group = 0; group < concurrency; group++) {
            byGroup.add(new ArrayList<>());
        }
        for (SinkRecord record : batch) {
            byGroup.get(groupOf(record.snapshot().getAggregateId(), concurrency)).add(record);
        }
        byGroup.removeIf(List::isEmpty);
        if (byGroup.size() <= 1) {
            return byGroup.isEmpty() ? 0 : writeGroup(byGroup.get(0), context);
        }
        List<Future<Integer>> written = new ArrayList<>(byGroup.size());
        for (List<SinkRecord> group : byGroup) {
            written.add(groups().submit(() -> {
                try {
                    return writeGroup(group, context);
                } catch (RuntimeException | Error e) {
                    context.fail();
                    throw e;
                }
            }));
        }
        return awaitAll(written, context);
    }

    /** The group of {@code aggregateId}'s snapshots, of {@code groups}. */
    static int groupOf(String aggregateId, int groups) {
        return Math.floorMod(aggregateId.hashCode(), groups);
    }

    /**
     * Waits for every group, even after one failed (a group still writing must not meet the relay's
     * next poll, nor its commit); then throws the first failure, a group's own rather than another's
     * stopping for it.
     */
    private static int awaitAll(List<Future<Integer>> groups, GroupsContext context) {
        int written = 0;
        Throwable failure = null;
        boolean interrupted = false;
        for (Future<Integer> group : groups) {
            while (true) {
                try {
                    written += group.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    context.fail();
                } catch (ExecutionException e) {
                    if (failure == null || failure instanceof Stopped && !(e.getCause() instanceof Stopped)) {
                        failure = e.getCause();
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null || interrupted) {
            throw new Stopped();
        }
        return written;
    }

    private ExecutorService groups() {
        if (groups == null) {
            AtomicInteger threads = new AtomicInteger();
            groups = Executors.newFixedThreadPool(concurrency, runnable -> {
                Thread thread = new Thread(runnable, NAME + "-snapshot-writer-group-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }
        return groups;
    }

    /** Writes one group's records (aggregates of no other group), then prunes its aggregates. */
    private int writeGroup(List<SinkRecord> batch, SinkContext context) {
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
        Map<String, DynamoDbRetention.Written> pruned = new LinkedHashMap<>();
        heads.forEach((aggregateId, put) -> pruned.put(aggregateId,
            new DynamoDbRetention.Written(ownerships.get(aggregateId), put)));
        retention.pruneAfterWrite(pruned, context::keepAlive);
        return written.size();
    }

    private static List<AttributeValue> keyOf(Map<String, AttributeValue> item) {
        return List.of(item.get(SnapshotItems.AGGREGATE_ID), item.get(SnapshotItems.VERSION));
    }

    @Override
    public void close() {
        if (groups != null) {
            groups.shutdownNow();
        }
    }

    /**
     * The relay's context as the batch's groups share it: the relay's is not thread-safe, so one group
     * calls it at a time; and the batch stops (at a group's next wait) once a group failed.
     */
    private static final class GroupsContext implements SinkContext {
        private final SinkContext relay;
        private volatile boolean failed;

        GroupsContext(SinkContext relay) {
            this.relay = relay;
        }

        void fail() {
            failed = true;
        }

        @Override
        public synchronized void keepAlive() {
            relay.keepAlive();
        }

        @Override
        public synchronized boolean owns(SinkRecord record) {
            return relay.owns(record);
        }

        @Override
        public synchronized long ownership(SinkRecord record) {
            return relay.ownership(record);
        }

        @Override
        public boolean running() {
            return !failed && relay.running();
        }

        @Override
        public synchronized void reportErrant(SinkRecord record, DeadLetterReason reason, String error) {
            relay.reportErrant(record, reason, error);
        }
    }
}
