package io.snapshotter.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.sink.SinkContext;
import io.snapshotter.sink.SinkRecord;
import io.snapshotter.testkit.DynamoDbServer;
import io.snapshotter.testkit.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The sink's groups written side by side, through a proxy in front of moto that holds back the
 * answers to one aggregate's calls: several calls in flight, a batch not done while one group is not,
 * the relay's context never kept alive under a call; and retention's deletes in batches.
 */
class DynamoDbConcurrentWritesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Its group's calls are the ones held or failed. */
    private static final String HELD = "item-held";

    private static DynamoDbServer dynamo;
    private static DynamoDbClient direct;

    private final Snapshots snapshots = new Snapshots();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ExecutorService relayThread = Executors.newSingleThreadExecutor();
    private final RelayContext context = new RelayContext();
    private FaultProxy proxy;
    private DynamoDbClient proxied;
    private DynamoDbSettings settings;

    @BeforeAll
    static void startDynamoDb() throws Exception {
        dynamo = DynamoDbServer.start();
        direct = dynamo.client();
    }

    @AfterAll
    static void stopDynamoDb() throws Exception {
        direct.close();
        dynamo.close();
    }

    @BeforeEach
    void startProxy(TestInfo test) throws Exception {
        proxy = FaultProxy.start(dynamo.port());
        proxied = DynamoDbServer.client(proxy.httpEndpoint());
        settings = new DynamoDbSettings(test.getTestMethod().orElseThrow().getName(), true, Optional.empty(), "us-east-1",
            Optional.empty(), Optional.empty(), 3, 25, Duration.ofMillis(5), Duration.ofMillis(20));
        SnapshotTable.ensure(direct, settings);
    }

    @AfterEach
    void stopProxy() throws Exception {
        proxy.pass();
        relayThread.shutdownNow();
        proxied.close();
        proxy.close();
    }

    /** Aggregates none of which shares a group with {@link #HELD}, at the default concurrency. */
    private static List<String> othersThanHeld() {
        int concurrency = DynamoDbSettings.DEFAULT_WRITER_CONCURRENCY;
        List<String> others = IntStream.range(0, 12).mapToObj(i -> "item-" + i)
            .filter(id -> DynamoDbSnapshotSink.groupOf(id, concurrency) != DynamoDbSnapshotSink.groupOf(HELD, concurrency))
            .toList();
        assertThat(others.stream().map(id -> DynamoDbSnapshotSink.groupOf(id, concurrency)).distinct())
            .as("the others in more than one group").hasSizeGreaterThan(1);
        return others;
    }

    /** Versions 1 to {@code last} of each of {@code ids}, in topic order. */
    private List<SinkRecord> versions(List<String> ids, int last) {
        List<SinkRecord> records = new ArrayList<>();
        for (long version = 1; version <= last; version++) {
            for (String id : ids) {
                records.add(new SinkRecord(snapshots.of(id, version), null));
            }
        }
        return records;
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** The versions of {@code aggregateId} in the table, read past the proxy. */
    private List<Long> stored(String aggregateId) {
        return direct.query(b -> b.tableName(settings.table()).consistentRead(true)
                .keyConditionExpression("#id = :id").expressionAttributeNames(Map.of("#id", SnapshotItems.AGGREGATE_ID))
                .expressionAttributeValues(Map.of(":id", SnapshotItems.s(aggregateId))))
            .items().stream().map(item -> Long.parseLong(item.get(SnapshotItems.VERSION).n())).sorted().toList();
    }

    private static boolean mentions(Object request, String aggregateId) {
        return request instanceof BatchWriteItemRequest batch && batch.requestItems().values().stream()
            .flatMap(List::stream).anyMatch(write -> write.putRequest() != null
                && aggregateId.equals(write.putRequest().item().get(SnapshotItems.AGGREGATE_ID).s()));
    }

    private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + TIMEOUT + " for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void shouldWriteTheGroupsSideBySideAndReturnOnlyOnceEveryGroupIsWritten() throws Exception {
        List<String> others = othersThanHeld();
        List<SinkRecord> batch = versions(concat(HELD, others), 4);
        DynamoDbSnapshotSink sink = DynamoDbBackend.open(proxied, settings, snapshots.codec, meters).sink();
        proxy.holdResponsesTo(HELD);

        Future<Integer> written = relayThread.submit(() -> sink.write(batch, context));

        // on one thread the held call would stop every other aggregate's writes behind it
        waitUntil("the other groups' aggregates written and pruned to the newest 3",
            () -> others.stream().allMatch(id -> stored(id).equals(List.of(2L, 3L, 4L))));
        assertThat(proxy.heldResponses()).isEqualTo(1);
        assertThat(proxy.maxRequestsInFlight()).as("calls in flight at once").isGreaterThanOrEqualTo(2);
        assertThat(written).as("the batch, a group of which is still held").isNotDone();

        proxy.pass();
        assertThat(written.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(batch.size());
        for (String id : concat(HELD, others)) {
            assertThat(stored(id)).as(id).containsExactly(2L, 3L, 4L);
        }
    }

    @Test
    void shouldKeepTheRelayAliveOnlyWhileNoCallIsInFlight() throws Exception {
        String throttled = othersThanHeld().get(0);
        AtomicReference<Thread> throttledGroup = new AtomicReference<>();
        DynamoDbClient client = DynamoDbServer.intercepting(proxied, (method, args, call) -> {
            if (method.equals("batchWriteItem") && mentions(args[0], throttled)
                    && throttledGroup.compareAndSet(null, Thread.currentThread())) {
                // refused once the held group's call is in flight: its wait keeps the relay alive
                waitUntil("the held group's call in flight", () -> proxy.heldResponses() == 1);
                throw ProvisionedThroughputExceededException.builder().message("slow down").build();
            }
            return call.call();
        });
        DynamoDbSnapshotSink sink = DynamoDbBackend.open(client, settings, snapshots.codec, meters).sink();
        proxy.holdResponsesTo(HELD);

        Future<Integer> written = relayThread.submit(() -> sink.write(versions(List.of(HELD, throttled), 1), context));

        // parked: waiting for the held call to end before it polls (a poll under it would not wait)
        waitUntil("the throttled group waiting", () -> throttledGroup.get() != null
            && throttledGroup.get().getState() == Thread.State.WAITING);
        proxy.pass();
        assertThat(written.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(context.inFlightAtKeepAlive).as("requests in flight whenever the relay was kept alive")
            .isNotEmpty().containsOnly(0);
        assertThat(stored(throttled)).containsExactly(1L);
        assertThat(stored(HELD)).containsExactly(1L);
    }

    @Test
    void shouldFailTheBatchWhenOneGroupFailsOnlyOnceTheOtherGroupsAreDone() {
        List<String> others = othersThanHeld();
        DynamoDbClient client = DynamoDbServer.intercepting(proxied, (method, args, call) -> {
            if (method.equals("batchWriteItem") && mentions(args[0], HELD)) {
                throw ResourceNotFoundException.builder().message("no table").build();
            }
            return call.call();
        });
        DynamoDbSnapshotSink sink = DynamoDbBackend.open(client, settings, snapshots.codec, meters).sink();

        assertThatThrownBy(() -> sink.write(versions(concat(HELD, others), 4), context))
            .isInstanceOf(TableUnusableException.class).hasMessageContaining("does not exist");
        // write returned only after them: nothing of theirs still in flight when the relay moves on
        for (String id : others) {
            assertThat(stored(id)).as(id).containsExactly(2L, 3L, 4L);
        }
        assertThat(stored(HELD)).isEmpty();
    }

    @Test
    void shouldDeleteWhatRetentionPrunesInBatchesAcrossAggregatesAndKeepTheNewestK() {
        settings = settings.withWriterConcurrency(1);
        List<Integer> deleteBatches = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean leftUnprocessed = new AtomicBoolean();
        DynamoDbClient client = DynamoDbServer.intercepting(direct, (method, args, call) -> {
            if (method.equals("batchWriteItem") && args[0] instanceof BatchWriteItemRequest request) {
                List<WriteRequest> writes = request.requestItems().get(settings.table());
                if (writes.stream().allMatch(write -> write.deleteRequest() != null)) {
                    deleteBatches.add(writes.size());
                    if (writes.size() > 5 && leftUnprocessed.compareAndSet(false, true)) {
                        // throttled: DynamoDB takes all but the last 5
                        direct.batchWriteItem(b -> b.requestItems(Map.of(settings.table(),
                            writes.subList(0, writes.size() - 5))));
                        return BatchWriteItemResponse.builder().unprocessedItems(Map.of(settings.table(),
                            writes.subList(writes.size() - 5, writes.size()))).build();
                    }
                }
            }
            return call.call();
        });
        DynamoDbSnapshotSink sink = DynamoDbBackend.open(client, settings, snapshots.codec, meters).sink();
        List<String> ids = IntStream.range(0, 30).mapToObj(i -> "item-" + i).toList();
        sink.write(versions(ids, 3), context);
        assertThat(deleteBatches).as("nothing to prune with 3 versions each").isEmpty();

        List<SinkRecord> fourth = new ArrayList<>();
        ids.forEach(id -> fourth.add(new SinkRecord(snapshots.of(id, 4), null)));
        sink.write(fourth, context);

        assertThat(deleteBatches).as("30 deletes, 25 a call, the 5 left unprocessed sent again").containsExactly(25, 5, 5);
        for (String id : ids) {
            assertThat(stored(id)).as(id).containsExactly(2L, 3L, 4L);
        }
    }

    /**
     * The relay's side, as the relay's own context behaves: not thread-safe (an unguarded list), and
     * its keep-alive, a poll, must never run under a call: it notes the requests the proxy has in flight.
     */
    private final class RelayContext implements SinkContext {
        final List<Integer> inFlightAtKeepAlive = new ArrayList<>();

        @Override
        public void keepAlive() {
            inFlightAtKeepAlive.add(proxy.requestsInFlight());
        }

        @Override
        public boolean owns(SinkRecord record) {
            return true;
        }

        @Override
        public long ownership(SinkRecord record) {
            return 1;
        }

        @Override
        public boolean running() {
            return true;
        }

        @Override
        public void reportErrant(SinkRecord record, DeadLetterReason reason, String error) {
            throw new AssertionError("nothing is errant here: " + reason + " " + error);
        }
    }
}
