package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.http.ApiFixture.FakeRequests;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.snapshot.SnapshotFactory;
import io.snapshotter.snapshot.SnapshotPage;
import io.snapshotter.snapshot.SnapshotHistory;
import io.snapshotter.snapshot.StoredSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /aggregates/{aggregateId}/snapshots[/{version}]}, from the snapshot store. */
class SnapshotEndpointsTest {

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    private final FakeStore store = new FakeStore(List.of(snapshot(10), snapshot(20), snapshot(30), snapshot(40)));

    private Api withStore() {
        return fixture.start(new FakeQueries(), Optional.of(ApiFixture.TOKEN), Optional.of(store), Optional.empty(),
            new FakeRequests());
    }

    @Test
    void shouldAnswerTheHistoryNewestFirstAPageAtATime() throws IOException {
        Api api = withStore();

        JsonNode first = Json.MAPPER.readTree(fixture.get(api, "/aggregates/item-1/snapshots?limit=2").body());
        assertThat(first.get("snapshots")).extracting(s -> s.get("version").asLong()).containsExactly(40L, 30L);
        assertThat(first.get("nextBefore").asLong()).isEqualTo(30);
        assertThat(first.get("next").asText()).isEqualTo("/aggregates/item-1/snapshots?limit=2&before=30");

        JsonNode second = Json.MAPPER.readTree(fixture.get(api, first.get("next").asText()).body());
        assertThat(second.get("snapshots")).extracting(s -> s.get("version").asLong()).containsExactly(20L, 10L);
        assertThat(second.get("nextBefore").isNull()).isTrue();
    }

    @Test
    void shouldListACorruptSnapshotInItsPageAndStillAnswer200() throws IOException {
        store.corrupt = List.of(new SnapshotPage.Corrupt(25, "Snapshot item-1@25 is corrupt: checksum mismatch"));
        Api api = withStore();

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1/snapshots?limit=4");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("snapshots")).extracting(s -> s.get("version").asLong()).containsExactly(40L, 30L, 20L, 10L);
        assertThat(body.get("corrupt")).singleElement().satisfies(c -> {
            assertThat(c.get("version").asLong()).isEqualTo(25);
            assertThat(c.get("problem").asText()).contains("checksum mismatch");
        });
    }

    @Test
    void shouldDescribeEachSnapshotWithItsDecodedState() throws IOException {
        Api api = withStore();

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1/snapshots/20");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("version").asLong()).isEqualTo(20);
        assertThat(body.get("reason").asText()).isEqualTo("COUNT");
        assertThat(body.get("createdBy").asText()).isEqualTo("test-app");
        assertThat(body.get("checksum").asText()).startsWith("crc32c:");
        assertThat(body.get("snapshotTimestamp").asText()).isEqualTo(ApiFixture.AT.toString());
        assertThat(body.get("state").toString()).isEqualTo(AvroJson.toJson(ApiFixture.STATE).toString());
    }

    @Test
    void shouldAnswer404ForAVersionNotKept() {
        assertThat(fixture.get(withStore(), "/aggregates/item-1/snapshots/25").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswer400ForBadPagingOrVersion() {
        Api api = withStore();

        for (String path : List.of("/aggregates/item-1/snapshots?limit=0", "/aggregates/item-1/snapshots?limit=101",
                "/aggregates/item-1/snapshots?limit=ten", "/aggregates/item-1/snapshots?before=0",
                "/aggregates/item-1/snapshots?before=-3", "/aggregates/item-1/snapshots/v2",
                "/aggregates/item-1/snapshots/0", "/aggregates/item%01/snapshots")) {
            HttpResponse<String> response = fixture.get(api, path);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.body()).as(path).contains("\"reason\"");
        }
        assertThat(fixture.get(api, "/aggregates/item-1/snapshots?limit=100&before=1").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer503WithAReasonWhenNoSnapshotStoreIsConfigured() {
        Api api = fixture.start(new FakeQueries());

        for (String path : List.of("/aggregates/item-1/snapshots", "/aggregates/item-1/snapshots/20")) {
            HttpResponse<String> response = fixture.get(api, path);
            assertThat(response.statusCode()).as(path).isEqualTo(503);
            assertThat(response.body()).as(path).contains("the snapshot store is not configured (dynamodb.enabled=false)");
        }
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenTheSnapshotStoreFails() {
        store.failure = new IllegalStateException("throttled");

        HttpResponse<String> response = fixture.get(withStore(), "/aggregates/item-1/snapshots");

        ApiFixture.problem(response, Problem.SNAPSHOT_STORE_FAILED);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.body()).doesNotContain("throttled", "IllegalStateException");
    }

    /** A stored COUNT snapshot of item-1 at {@code version}. */
    static StoredSnapshot snapshot(long version) {
        byte[] state = {0, 0, 0, 0, 1, 2, 3};
        AggregateRecord record = AggregateRecord.newBuilder().setAggregateType("InventoryItem").setVersion(version)
            .setLastEventId("event-" + version).setLastEventTimestamp(ApiFixture.AT.toEpochMilli())
            .setEventsSinceSnapshot(0).setLastSnapshotVersion(version).setLastSnapshotTime(0)
            .setSnapshotDueTime(Long.MAX_VALUE).setState(ByteBuffer.wrap(state)).build();
        return new StoredSnapshot(new SnapshotFactory("test-app", false, 4096)
            .snapshotOf("item-1", "item-1", record, ApiFixture.AT.toEpochMilli(), SnapshotReason.COUNT), ApiFixture.STATE);
    }

    /** The snapshots of item-1, in memory. */
    private static final class FakeStore implements SnapshotHistory {
        private final List<StoredSnapshot> snapshots;
        volatile RuntimeException failure;
        volatile List<SnapshotPage.Corrupt> corrupt = List.of();

        FakeStore(List<StoredSnapshot> snapshots) {
            this.snapshots = snapshots.stream()
                .sorted(Comparator.comparingLong((StoredSnapshot s) -> s.snapshot().getVersion()).reversed()).toList();
        }

        @Override
        public Optional<StoredSnapshot> latest(String aggregateId) {
            return snapshots.stream().findFirst();
        }

        @Override
        public SnapshotPage history(String aggregateId, int limit, Long beforeVersion) {
            if (failure != null) {
                throw failure;
            }
            List<StoredSnapshot> older = snapshots.stream()
                .filter(s -> beforeVersion == null || s.snapshot().getVersion() < beforeVersion).toList();
            List<StoredSnapshot> page = older.stream().limit(limit).toList();
            Long next = older.size() > limit ? page.get(page.size() - 1).snapshot().getVersion() : null;
            return new SnapshotPage(page, corrupt, next);
        }

        @Override
        public Optional<StoredSnapshot> at(String aggregateId, long version) {
            return snapshots.stream().filter(s -> s.snapshot().getVersion() == version).findFirst();
        }
    }
}
