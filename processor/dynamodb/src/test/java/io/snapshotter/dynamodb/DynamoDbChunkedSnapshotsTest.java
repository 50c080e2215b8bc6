package io.snapshotter.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.StateCompression;
import io.snapshotter.sink.SinkContext;
import io.snapshotter.sink.SinkRecord;
import io.snapshotter.snapshot.CorruptSnapshotException;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.snapshot.SnapshotPage;
import io.snapshotter.snapshot.StoredSnapshot;
import io.snapshotter.testkit.DynamoDbServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Snapshots over DynamoDB's item limit (chunked), history across query pages, corrupt and
 * oversized states, the current fold version's preference, the sweep's pacing and the writer's
 * knowledge of what it wrote, against a real DynamoDB-compatible server.
 */
class DynamoDbChunkedSnapshotsTest {

    private static final String TYPE = "InventoryItem";

    private static DynamoDbServer dynamo;
    private static DynamoDbClient client;

    private final Snapshots snapshots = new Snapshots();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RecordingContext context = new RecordingContext();
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
        open(test.getTestMethod().orElseThrow().getName(), 3, ProcessorFacts.NONE);
    }

    private void open(String table, int keep, ProcessorFacts facts) {
        settings = new DynamoDbSettings(table, true, Optional.empty(), "us-east-1", Optional.empty(), Optional.empty(),
            keep, 25, Duration.ofMillis(5), Duration.ofMillis(50));
        store = DynamoDbBackend.open(client, settings, snapshots.codec, meters, facts);
    }

    /** A snapshot whose state gzips to about {@code kilobytes} KB: a name of random letters. */
    private Snapshot large(String id, long version, int kilobytes) {
        return snapshots.of(id, version, largeName(version, kilobytes));
    }

    private static String largeName(long version, int kilobytes) {
        Random random = new Random(version);
        StringBuilder name = new StringBuilder();
        while (name.length() < kilobytes * 1024 * 4 / 3) {
            name.append((char) ('a' + random.nextInt(26)));
        }
        return name.toString();
    }

    private static Snapshot ofFold(Snapshot snapshot, int foldVersion) {
        return Snapshot.newBuilder(snapshot).setFoldVersion(foldVersion).build();
    }

    private void write(Snapshot... batch) {
        List<SinkRecord> records = new ArrayList<>();
        for (Snapshot snapshot : batch) {
            records.add(new SinkRecord(snapshot, null));
        }
        store.sink().write(records, context);
    }

    /** Puts items as they are, without the sink's pruning. */
    private void put(Snapshot... items) {
        List<WriteRequest> puts = new ArrayList<>();
        for (Snapshot snapshot : items) {
            puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(SnapshotItems.toItem(snapshot)).build())
                .build());
        }
        new BatchWriter(client, settings, () -> true, meters).writeAll(puts, () -> { });
    }

    private List<Map<String, AttributeValue>> allItems() {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        client.scanPaginator(b -> b.tableName(settings.table()).consistentRead(true)).items().forEach(items::add);
        return items;
    }

    private static List<Long> versions(SnapshotPage page) {
        return page.snapshots().stream().map(s -> s.snapshot().getVersion()).toList();
    }

    @Test
    void shouldStoreASnapshotOverTheItemLimitInChunksAndReadItBackWhole() {
        Snapshot big = large("item-1", 10, 900);
        assertThat(big.getState().remaining()).isGreaterThan(SnapshotItems.MAX_ITEM_BYTES);

        write(big);

        assertThat(context.errant).isEmpty();
        List<Map<String, AttributeValue>> items = allItems();
        assertThat(items).hasSizeGreaterThan(2);
        assertThat(items).allSatisfy(item -> assertThat(SnapshotItems.sizeOf(item))
            .isLessThan(SnapshotItems.MAX_ITEM_BYTES));
        StoredSnapshot latest = store.history().latest("item-1").orElseThrow();
        assertThat(latest.snapshot()).isEqualTo(big);
        assertThat(latest.state()).isEqualTo(Snapshots.state("item-1", 10, largeName(10, 900)));
        assertThat(store.history().at("item-1", 10).orElseThrow().snapshot()).isEqualTo(big);
        assertThat(versions(store.history().history("item-1", 10, null))).containsExactly(10L);
        List<Snapshot> scanned = new ArrayList<>();
        store.history().forEachSnapshot(scanned::add);
        assertThat(scanned).containsExactly(big);
    }

    @Test
    void shouldWriteTheSameItemsWhenAChunkedSnapshotIsWrittenTwice() {
        write(large("item-1", 10, 900));
        Set<Map<String, AttributeValue>> first = new HashSet<>(allItems());
        assertThat(first).hasSizeGreaterThan(2);

        write(large("item-1", 10, 900));

        assertThat(new HashSet<>(allItems())).isEqualTo(first);
        assertThat(context.errant).isEmpty();
    }

    @Test
    void shouldTreatAHeadWithoutAllItsChunksAsAbsent() {
        Snapshot small = snapshots.of("item-1", 10);
        write(small, large("item-1", 20, 900));
        Map<String, AttributeValue> chunk = allItems().stream()
            .filter(item -> item.containsKey(SnapshotItems.CHUNK)).findFirst().orElseThrow();
        client.deleteItem(b -> b.tableName(settings.table()).key(Map.of(
            SnapshotItems.AGGREGATE_ID, chunk.get(SnapshotItems.AGGREGATE_ID),
            SnapshotItems.VERSION, chunk.get(SnapshotItems.VERSION))));

        assertThat(store.history().latest("item-1").orElseThrow().snapshot()).isEqualTo(small);
        assertThat(store.history().at("item-1", 20)).isEmpty();
        assertThat(versions(store.history().history("item-1", 10, null))).containsExactly(10L);
        List<Snapshot> scanned = new ArrayList<>();
        store.history().forEachSnapshot(scanned::add);
        assertThat(scanned).containsExactly(small);
    }

    @Test
    void shouldDeleteTheHeadAndItsChunksTogetherWhenPruned() {
        open(settings.table(), 1, ProcessorFacts.NONE);
        write(large("item-1", 10, 900));
        assertThat(allItems()).hasSizeGreaterThan(2);
        write(snapshots.of("item-1", 20));

        assertThat(allItems()).extracting(item -> item.get(SnapshotItems.VERSION).n()).containsExactly("20");
    }

    @Test
    void shouldFillAHistoryPageAcrossDynamoDbQueryPages() {
        open(settings.table(), 100, ProcessorFacts.NONE);
        for (long version = 1; version <= 5; version++) {
            // each item about 300 KB, so a 1 MB query page holds three
            put(large("item-1", version, 300));
        }

        SnapshotPage page = store.history().history("item-1", 5, null);

        assertThat(versions(page)).containsExactly(5L, 4L, 3L, 2L, 1L);
        assertThat(page.nextBeforeVersion()).isNull();
        assertThat(versions(store.history().history("item-1", 4, null))).containsExactly(5L, 4L, 3L, 2L);
    }

    @Test
    void shouldMarkACorruptSnapshotInItsHistoryPageNotFailThePage() {
        put(snapshots.of("item-1", 10), snapshots.of("item-1", 30));
        Map<String, AttributeValue> item = new HashMap<>(SnapshotItems.toItem(snapshots.of("item-1", 20)));
        byte[] state = item.get(SnapshotItems.STATE).b().asByteArray();
        state[state.length - 1] ^= 0x1;
        item.put(SnapshotItems.STATE, AttributeValue.fromB(SdkBytes.fromByteArray(state)));
        client.putItem(b -> b.tableName(settings.table()).item(item));

        SnapshotPage page = store.history().history("item-1", 2, null);

        assertThat(versions(page)).containsExactly(30L);
        assertThat(page.corrupt()).singleElement().satisfies(c -> {
            assertThat(c.version()).isEqualTo(20L);
            assertThat(c.problem()).contains("checksum");
        });
        assertThat(page.nextBeforeVersion()).isEqualTo(20L);
        assertThat(versions(store.history().history("item-1", 2, 20L))).containsExactly(10L);
    }

    @Test
    void shouldReportAStateInflatingPastTheBoundAsCorruptWithoutInflatingIt() throws IOException {
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 2; i++) {
                gzip.write(zeros);
            }
        }
        byte[] stored = bomb.toByteArray();
        put(Snapshot.newBuilder(snapshots.of("item-1", 10)).setCompression(StateCompression.GZIP)
            .setState(ByteBuffer.wrap(stored)).setChecksum(SnapshotFactory.checksum(stored)).build());
        open(settings.table(), 3, new ProcessorFacts(Map.of(), 1024 * 1024));

        assertThatThrownBy(() -> store.history().latest("item-1")).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining("item-1@10").hasMessageContaining("more than 1048576 bytes");
    }

    @Test
    void shouldPreferTheCurrentFoldVersionAfterAReplayAndSupersedeTheOthers() {
        open(settings.table(), 3, new ProcessorFacts(Map.of(TYPE, 2), SnapshotFactory.MAX_STATE_BYTES));
        put(snapshots.of("item-1", 10), snapshots.of("item-1", 20), snapshots.of("item-1", 30),
            snapshots.of("item-1", 40));
        // the replay with fold version 2 snapshots at other versions; the old fold's 40 stays the newest
        put(ofFold(snapshots.of("item-1", 15), 2), ofFold(snapshots.of("item-1", 35), 2));

        assertThat(store.history().latest("item-1").orElseThrow().snapshot().getVersion()).isEqualTo(35L);
        assertThat(versions(store.history().history("item-1", 10, null))).containsExactly(35L, 15L);

        write(ofFold(snapshots.of("item-1", 36), 2));

        assertThat(allItems()).extracting(item -> item.get(SnapshotItems.VERSION).n())
            .containsExactlyInAnyOrder("15", "35", "36");

        // an aggregate the replay has not reached yet keeps its old fold's snapshots, and serves them
        put(snapshots.of("item-2", 10), snapshots.of("item-2", 20));
        assertThat(store.history().latest("item-2").orElseThrow().snapshot().getVersion()).isEqualTo(20L);
        assertThat(versions(store.history().history("item-2", 10, null))).containsExactly(20L, 10L);
        assertThat(store.retention().prune("item-2", () -> { })).isZero();
    }

    @Test
    void shouldPaceTheSweepToItsRate() {
        settings = new DynamoDbSettings(settings.table(), true, Optional.empty(), "us-east-1", Optional.empty(),
            Optional.empty(), 3, 25, Duration.ofMillis(5), Duration.ofMillis(50), 2);
        for (long version = 1; version <= 6; version++) {
            put(snapshots.of("item-" + version, 1));
        }
        List<Duration> waits = new ArrayList<>();
        DynamoDbRetention retention = new DynamoDbRetention(client, settings,
            new BatchWriter(client, settings, () -> true, meters), ProcessorFacts.NONE, waits::add, () -> 0L);

        assertThat(retention.sweep().snapshotsScanned()).isEqualTo(6);

        // pages of two items at two a second, the clock standing still: a second after each full page
        assertThat(waits).hasSizeGreaterThanOrEqualTo(2).allSatisfy(wait -> assertThat(wait).isEqualTo(Duration.ofSeconds(1)));
    }

    @Test
    void shouldPruneWithoutAQueryWhileTheWriterKeepsThePartitionAndQueryAgainOnceItMayBeStale() {
        List<String> queries = new ArrayList<>();
        DynamoDbClient counting = DynamoDbServer.intercepting(client, (method, args, call) -> {
            if (method.startsWith("query")) {
                queries.add(method);
            }
            return call.call();
        });
        store = DynamoDbBackend.open(counting, settings, snapshots.codec, meters, ProcessorFacts.NONE);

        for (long version = 1; version <= 4; version++) {
            write(snapshots.of("item-1", version));
        }
        assertThat(queries).as("one query, for the first write: the writer knows the rest").hasSize(1);
        assertThat(versionsStored()).containsExactly("2", "3", "4");

        // a rebalance: another writer held the partition meanwhile and wrote version 10 (not yet pruned)
        put(snapshots.of("item-1", 10));
        context.ownership = 2;
        write(snapshots.of("item-1", 5));
        assertThat(queries).as("under a new ownership the versions are read again").hasSize(2);
        assertThat(versionsStored()).containsExactly("10", "4", "5");

        store.retention().sweep();
        queries.clear();
        put(snapshots.of("item-1", 11));
        write(snapshots.of("item-1", 6));
        assertThat(queries).as("after a sweep the versions are read again").hasSize(1);
        assertThat(versionsStored()).containsExactly("10", "11", "6");
    }

    private List<String> versionsStored() {
        return allItems().stream().map(item -> item.get(SnapshotItems.VERSION).n()).sorted().toList();
    }

    /** The relay's side of a write: records what is dead-lettered; the ownership of the partition is the test's. */
    private static final class RecordingContext implements SinkContext {
        final List<String> errant = new ArrayList<>();
        long ownership = 1;

        @Override
        public void keepAlive() {
        }

        @Override
        public boolean owns(SinkRecord record) {
            return true;
        }

        @Override
        public long ownership(SinkRecord record) {
            return ownership;
        }

        @Override
        public boolean running() {
            return true;
        }

        @Override
        public void reportErrant(SinkRecord record, DeadLetterReason reason, String error) {
            errant.add(reason + ": " + error);
        }
    }
}
