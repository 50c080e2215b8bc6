package io.snapshotter.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.sink.SinkContext;
import io.snapshotter.sink.SinkRecord;
import io.snapshotter.testkit.DynamoDbServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Throttling, which moto never does, forced by a client that wraps the real one: it leaves items
 * unprocessed or refuses a call, as DynamoDB does under load; and what the sink writes after such a
 * wait.
 */
class BatchWriterTest {

    private static DynamoDbServer dynamo;
    private static DynamoDbClient real;

    private final Snapshots snapshots = new Snapshots();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Integer> requestSizes = new ArrayList<>();

    @BeforeAll
    static void startDynamoDb() throws Exception {
        dynamo = DynamoDbServer.start();
        real = dynamo.client();
    }

    @AfterAll
    static void stopDynamoDb() throws Exception {
        real.close();
        dynamo.close();
    }

    private DynamoDbSettings settings(String table) {
        DynamoDbSettings settings = new DynamoDbSettings(table, true, Optional.empty(), "us-east-1", Optional.empty(),
            Optional.empty(), 3, 25, Duration.ofMillis(5), Duration.ofMillis(20));
        SnapshotTable.ensure(real, settings);
        return settings;
    }

    /** A client whose {@code batchWriteItem} calls go through {@code throttle} first. */
    private DynamoDbClient throttling(ThrottlingBatch throttle) {
        return DynamoDbServer.intercepting(real, (method, args, call) -> {
            if (method.equals("batchWriteItem") && args[0] instanceof BatchWriteItemRequest request) {
                requestSizes.add(request.requestItems().values().iterator().next().size());
                return throttle.call(request, requestSizes.size());
            }
            return call.call();
        });
    }

    private interface ThrottlingBatch {
        BatchWriteItemResponse call(BatchWriteItemRequest request, int callNumber);
    }

    private List<WriteRequest> puts(String... ids) {
        List<WriteRequest> puts = new ArrayList<>();
        for (String id : ids) {
            puts.add(put(snapshots.of(id, 1)));
        }
        return puts;
    }

    @Test
    void shouldResendOnlyTheItemsLeftUnprocessed() {
        DynamoDbSettings settings = settings("unprocessed");
        DynamoDbClient client = throttling((request, call) -> {
            List<WriteRequest> items = request.requestItems().get(settings.table());
            if (call > 1) {
                return real.batchWriteItem(request);
            }
            // first call: DynamoDB takes half and hands the rest back
            real.batchWriteItem(b -> b.requestItems(Map.of(settings.table(), items.subList(0, 2))));
            return BatchWriteItemResponse.builder()
                .unprocessedItems(Map.of(settings.table(), items.subList(2, items.size()))).build();
        });

        new BatchWriter(client, settings, () -> true, meters).writeAll(puts("a", "b", "c", "d"), () -> { });

        assertThat(requestSizes).containsExactly(4, 2);
        assertThat(real.scan(b -> b.tableName(settings.table())).count()).isEqualTo(4);
        assertThat(meters.counter("snapshotter.dynamodb.retries").count()).isEqualTo(1.0);
    }

    @Test
    void shouldBackOffAndRetryACallRefusedForThroughput() {
        DynamoDbSettings settings = settings("refused");
        DynamoDbClient client = throttling((request, call) -> {
            if (call <= 2) {
                throw ProvisionedThroughputExceededException.builder().message("slow down").build();
            }
            return real.batchWriteItem(request);
        });

        new BatchWriter(client, settings, () -> true, meters).writeAll(puts("a", "b"), () -> { });

        assertThat(requestSizes).containsExactly(2, 2, 2);
        assertThat(real.scan(b -> b.tableName(settings.table())).count()).isEqualTo(2);
        assertThat(meters.counter("snapshotter.dynamodb.retries").count()).isEqualTo(2.0);
    }

    @Test
    void shouldSplitIntoBatchesOfTheConfiguredSize() {
        DynamoDbSettings settings = new DynamoDbSettings("split", true, Optional.empty(), "us-east-1", Optional.empty(),
            Optional.empty(), 3, 2, Duration.ofMillis(5), Duration.ofMillis(20));
        SnapshotTable.ensure(real, settings);
        DynamoDbClient client = throttling((request, call) -> real.batchWriteItem(request));

        new BatchWriter(client, settings, () -> true, meters).writeAll(puts("a", "b", "c", "d", "e"), () -> { });

        assertThat(requestSizes).containsExactly(2, 2, 1);
    }

    @Test
    void shouldNotWriteARecordWhosePartitionARebalanceTookWhileItWaited() {
        // one group: both records in the call the rebalance interrupts
        DynamoDbSettings settings = settings("disowned").withWriterConcurrency(1);
        List<List<String>> sent = new ArrayList<>();
        DynamoDbClient client = throttling((request, call) -> {
            sent.add(request.requestItems().get(settings.table()).stream()
                .map(write -> write.putRequest() == null ? "a delete"
                    : write.putRequest().item().get(SnapshotItems.AGGREGATE_ID).s()).toList());
            if (call == 1) {
                throw ProvisionedThroughputExceededException.builder().message("slow down").build();
            }
            return real.batchWriteItem(request);
        });
        // the new owner of item-moved's partition has written versions 2 to 4 and pruned version 1
        new BatchWriter(real, settings, () -> true, meters).writeAll(List.of(
            put(snapshots.of("item-moved", 2)), put(snapshots.of("item-moved", 3)), put(snapshots.of("item-moved", 4))),
            () -> { });
        Set<String> disowned = new HashSet<>();
        SinkContext context = new SinkContext() {
            @Override
            public void keepAlive() {
                // the relay's poll while the sink waits: a rebalance takes item-moved's partition
                disowned.add("item-moved");
            }

            @Override
            public boolean owns(SinkRecord record) {
                return !disowned.contains(record.snapshot().getAggregateId());
            }

            @Override
            public long ownership(SinkRecord record) {
                return 0;
            }

            @Override
            public boolean running() {
                return true;
            }

            @Override
            public void reportErrant(SinkRecord record, DeadLetterReason reason, String error) {
                throw new AssertionError("nothing is errant here: " + reason + " " + error);
            }
        };
        DynamoDbSnapshotSink sink = DynamoDbBackend.open(client, settings, snapshots.codec, meters, ProcessorFacts.NONE).sink();

        int taken = sink.write(List.of(new SinkRecord(snapshots.of("item-moved", 1), null),
            new SinkRecord(snapshots.of("item-stays", 1), null)), context);

        assertThat(taken).isEqualTo(1);
        assertThat(sent).containsExactly(List.of("item-moved", "item-stays"), List.of("item-stays"));
        assertThat(real.scan(b -> b.tableName(settings.table()).consistentRead(true)).items())
            .extracting(item -> item.get(SnapshotItems.AGGREGATE_ID).s() + "@" + item.get(SnapshotItems.VERSION).n())
            .containsExactlyInAnyOrder("item-moved@2", "item-moved@3", "item-moved@4", "item-stays@1");
    }

    private static WriteRequest put(Snapshot snapshot) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(SnapshotItems.toItem(snapshot)).build()).build();
    }
}
