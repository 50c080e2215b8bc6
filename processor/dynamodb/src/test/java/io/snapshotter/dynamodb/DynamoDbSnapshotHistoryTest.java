package io.snapshotter.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.snapshot.CorruptSnapshotException;
import io.snapshotter.snapshot.SnapshotPage;
import io.snapshotter.snapshot.SnapshotRetention.SweepResult;
import io.snapshotter.snapshot.StoredSnapshot;
import io.snapshotter.testkit.DynamoDbServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** The table layout, the reader and retention against a real DynamoDB-compatible server (moto). */
class DynamoDbSnapshotHistoryTest {

    private static DynamoDbServer dynamo;
    private static DynamoDbClient client;

    private final Snapshots snapshots = new Snapshots();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private DynamoDbSettings settings;
    private DynamoDbBackend store;

    @BeforeAll
    static void startDynamoDb() throws Exception {
        dynamo = DynamoDbServer.start();
        client = dynamo.client();
    }

    @AfterAll
    static void stopDynamoDb() throws Exception {
        client.close();
        dynamo.close();
    }

    @BeforeEach
    void createTable(TestInfo test) {
        settings = settings(test.getTestMethod().orElseThrow().getName(), true, 3);
        store = DynamoDbBackend.open(client, settings, snapshots.codec, meters);
    }

    private static DynamoDbSettings settings(String table, boolean create, int keep) {
        return new DynamoDbSettings(table, create, Optional.empty(), "us-east-1", Optional.empty(), Optional.empty(),
            keep, 25, Duration.ofMillis(5), Duration.ofMillis(50));
    }

    private void put(Snapshot... items) {
        List<WriteRequest> puts = new ArrayList<>();
        for (Snapshot snapshot : items) {
            puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(SnapshotItems.toItem(snapshot)).build())
                .build());
        }
        new BatchWriter(client, settings, () -> true, meters).writeAll(puts, () -> { });
    }

    private long itemCount() {
        return client.scan(b -> b.tableName(settings.table())).count();
    }

    @Test
    void shouldReadBackWhatWasWrittenWithItsStateDecoded() {
        Snapshot v10 = snapshots.of("item-1", 10);
        put(v10, snapshots.of("item-1", 20), snapshots.of("item-2", 10));

        StoredSnapshot latest = store.history().latest("item-1").orElseThrow();
        assertThat(latest.snapshot()).isEqualTo(snapshots.of("item-1", 20));
        assertThat(latest.state()).isEqualTo(Snapshots.state("item-1", 20, "Widget"));
        assertThat(store.history().at("item-1", 10).orElseThrow().snapshot()).isEqualTo(v10);
        assertThat(store.history().at("item-1", 15)).isEmpty();
        assertThat(store.history().latest("item-3")).isEmpty();
    }

    @Test
    void shouldStoreTheDesignsAttributes() {
        put(snapshots.of("item-1", 10));
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(settings.table()).key(Map.of(
            "aggregateId", AttributeValue.fromS("item-1"), "version", AttributeValue.fromN("10")))).item();
        assertThat(item).containsKeys("aggregateId", "version", "aggregateType", "state", "lastEventSequence",
            "lastEventId", "timestamp", "metadata", "checksum", "compression");
        assertThat(item.get("aggregateType").s()).isEqualTo("InventoryItem");
        assertThat(item.get("lastEventSequence").n()).isEqualTo("10");
        assertThat(item.get("metadata").m()).containsEntry("reason", AttributeValue.fromS("COUNT"))
            .containsEntry("createdBy", AttributeValue.fromS("test-app"));
    }

    @Test
    void shouldPageTheHistoryNewestFirst() {
        DynamoDbSettings keepAll = settings(settings.table(), false, 100);
        store = DynamoDbBackend.open(client, keepAll, snapshots.codec, meters);
        for (long version = 1; version <= 5; version++) {
            put(snapshots.of("item-1", version * 10));
        }
        SnapshotPage first = store.history().history("item-1", 2, null);
        assertThat(first.snapshots()).extracting(s -> s.snapshot().getVersion()).containsExactly(50L, 40L);
        assertThat(first.nextBeforeVersion()).isEqualTo(40L);
        SnapshotPage second = store.history().history("item-1", 2, first.nextBeforeVersion());
        assertThat(second.snapshots()).extracting(s -> s.snapshot().getVersion()).containsExactly(30L, 20L);
        SnapshotPage last = store.history().history("item-1", 2, second.nextBeforeVersion());
        assertThat(last.snapshots()).extracting(s -> s.snapshot().getVersion()).containsExactly(10L);
        assertThat(last.nextBeforeVersion()).isNull();
    }

    @Test
    void shouldLeaveOneItemWhenTheSameSnapshotIsWrittenTwice() {
        put(snapshots.of("item-1", 10));
        put(snapshots.of("item-1", 10));
        assertThat(itemCount()).isEqualTo(1);
        assertThat(store.history().history("item-1", 10, null).snapshots()).hasSize(1);
    }

    @Test
    void shouldKeepTheNewestKOfAnAggregateWhenPruned() {
        for (long version = 1; version <= 5; version++) {
            put(snapshots.of("item-1", version));
        }
        put(snapshots.of("item-2", 1), snapshots.of("item-2", 2));

        assertThat(store.retention().prune("item-1", () -> { })).isEqualTo(2);

        assertThat(store.history().history("item-1", 10, null).snapshots()).extracting(s -> s.snapshot().getVersion())
            .containsExactly(5L, 4L, 3L);
        assertThat(store.history().history("item-2", 10, null).snapshots()).hasSize(2);
    }

    @Test
    void shouldSweepEveryAggregateLeftOverK() {
        for (String id : List.of("item-1", "item-2", "item-3")) {
            for (long version = 1; version <= 6; version++) {
                put(snapshots.of(id, version));
            }
        }
        put(snapshots.of("item-4", 1));

        SweepResult result = store.retention().sweep();

        assertThat(result).isEqualTo(new SweepResult(19, 3, 9));
        assertThat(itemCount()).isEqualTo(10);
        assertThat(store.history().history("item-2", 10, null).snapshots()).extracting(s -> s.snapshot().getVersion())
            .containsExactly(6L, 5L, 4L);
    }

    @Test
    void shouldReportACorruptSnapshotNeverReturnIt() {
        Snapshot good = snapshots.of("item-1", 10);
        Map<String, AttributeValue> item = new java.util.HashMap<>(SnapshotItems.toItem(good));
        byte[] state = item.get("state").b().asByteArray();
        state[state.length - 1] ^= 0x1;
        item.put("state", AttributeValue.fromB(SdkBytes.fromByteArray(state)));
        client.putItem(b -> b.tableName(settings.table()).item(item));

        assertThatThrownBy(() -> store.history().latest("item-1")).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining("item-1@10").hasMessageContaining("checksum");
        assertThatThrownBy(() -> store.history().at("item-1", 10)).isInstanceOf(CorruptSnapshotException.class);

        Map<String, AttributeValue> missingState = new java.util.HashMap<>(SnapshotItems.toItem(snapshots.of("item-2", 10)));
        missingState.remove("state");
        client.putItem(b -> b.tableName(settings.table()).item(missingState));
        assertThatThrownBy(() -> store.history().latest("item-2")).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining("item-2@10");
    }

    @Test
    void shouldFailFastWhenTheTableIsMissing() {
        assertThatThrownBy(() -> DynamoDbBackend.open(client, settings("no_such_table", false, 3), snapshots.codec, meters))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("'no_such_table' does not exist")
            .hasMessageContaining("dynamodb.table.create=true");
    }

    @Test
    void shouldFailFastWhenTheTableHasOtherKeys() {
        client.createTable(b -> b.tableName("wrong_keys")
            .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
            .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build())
            .billingMode(BillingMode.PAY_PER_REQUEST));
        assertThatThrownBy(() -> DynamoDbBackend.open(client, settings("wrong_keys", false, 3), snapshots.codec, meters))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("'wrong_keys'")
            .hasMessageContaining("partition key aggregateId (S) and sort key version (N)");
    }

    @Test
    void shouldCreateTheTableOnDemandWithOnDemandBilling() {
        var table = client.describeTable(b -> b.tableName(settings.table())).table();
        assertThat(table.keySchema()).isEqualTo(SnapshotTable.KEY_SCHEMA);
        assertThat(table.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
    }

    @Test
    void shouldStartWhenAnotherInstanceCreatesTheTableBetweenItsCheckAndItsCreate() {
        DynamoDbSettings shared = settings("created_by_both", true, 3);
        SnapshotTable.ensure(client, shared);  // the other instance, a moment earlier
        // this instance looked before the other created it
        DynamoDbClient lookedTooEarly = new DynamoDbClient() {
            private boolean first = true;

            @Override
            public software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse describeTable(
                    software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest request) {
                if (first) {
                    first = false;
                    throw software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException.builder()
                        .message("Requested resource not found").build();
                }
                return client.describeTable(request);
            }

            @Override
            public software.amazon.awssdk.services.dynamodb.model.CreateTableResponse createTable(
                    software.amazon.awssdk.services.dynamodb.model.CreateTableRequest request) {
                return client.createTable(request);
            }

            @Override
            public software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter waiter() {
                return software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter.builder().client(this).build();
            }

            @Override
            public String serviceName() {
                return client.serviceName();
            }

            @Override
            public void close() {
            }
        };

        SnapshotTable.ensure(lookedTooEarly, shared);

        assertThat(client.describeTable(b -> b.tableName("created_by_both")).table().keySchema())
            .isEqualTo(SnapshotTable.KEY_SCHEMA);
    }
}
