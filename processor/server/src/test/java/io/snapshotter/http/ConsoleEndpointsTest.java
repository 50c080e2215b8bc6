package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.console.Assignments.Input;
import io.snapshotter.console.Assignments.Member;
import io.snapshotter.console.Assignments.Partition;
import io.snapshotter.console.Assignments.Task;
import io.snapshotter.console.ConsoleSources;
import io.snapshotter.console.RecentActivity;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeAssignments;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.http.ApiFixture.FakeRequests;
import io.snapshotter.query.Instance;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.sink.SnapshotRelay;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The web console: its page and assets from the jar, and {@code GET /console/status}. */
class ConsoleEndpointsTest {

    private static final String EVENTS = "inventory-events";
    private static final String REQUESTS = "inventory-snapshot-requests";

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    private final FakeAssignments assignments = new FakeAssignments();
    private final RecentActivity activity = new RecentActivity(Clock.fixed(ApiFixture.NOW, ZoneOffset.UTC));

    private Api start(Optional<Supplier<SnapshotRelay.Status>> writer, Optional<LongSupplier> writerLag) {
        return fixture.start(new FakeQueries(), Optional.of(ApiFixture.TOKEN), Optional.empty(), Optional.empty(),
            new FakeRequests(), new ConsoleSources(assignments, activity, writer, writerLag));
    }

    private JsonNode status(Api api) throws IOException {
        HttpResponse<String> response = fixture.get(api, ConsoleRoutes.STATUS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Json.CONTENT_TYPE);
        return Json.parse(response.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldServeThePageAndItsAssetsFromTheJarKeptToThisServer() {
        Api api = start(Optional.empty(), Optional.empty());

        HttpResponse<String> page = fixture.get(api, "/");
        HttpResponse<String> script = fixture.get(api, "/console/console.js");
        HttpResponse<String> style = fixture.get(api, "/console/console.css");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(ConsoleRoutes.CONTENT_SECURITY_POLICY);
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.body()).contains("src=\"/console/console.js\"", "href=\"/console/console.css\"")
            .doesNotContain("http://", "https://");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("'/console/status'").doesNotContain("localStorage", "sessionStorage",
            "document.cookie", "innerHTML");
        assertThat(style.statusCode()).isEqualTo(200);
        assertThat(style.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
    }

    @Test
    void shouldAnswer404ForAnAssetItDoesNotServeAnd405ForAPostToThePage() {
        Api api = start(Optional.empty(), Optional.empty());

        HttpResponse<String> traversal = fixture.get(api, "/console/..%2Fpom.xml");
        HttpResponse<String> post = fixture.post(api, "/", "");

        assertThat(traversal.statusCode()).isEqualTo(404);
        assertThat(traversal.body()).contains("no console asset '../pom.xml'");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void shouldReportTheInstancesAndThisOnesTasksWithTheirLag() throws IOException {
        Api api = start(Optional.empty(), Optional.empty());
        Instance peer = new Instance("processor-1.processors", 8080);
        assignments.members = List.of(
            new Member(api.self(), List.of(new Partition(EVENTS, 0), new Partition(EVENTS, 1), new Partition(REQUESTS, 0),
                new Partition(REQUESTS, 1)), List.of(new Partition(EVENTS, 2))),
            new Member(peer, List.of(new Partition(EVENTS, 2)), List.of()));
        assignments.tasks = List.of(
            new Task("0_0", true, List.of(new Input(new Partition(EVENTS, 0), 3L), new Input(new Partition(REQUESTS, 0), null)),
                null),
            new Task("0_2", false, List.of(new Input(new Partition(EVENTS, 2), null)), 12L));

        JsonNode status = status(api);

        assertThat(status.path("instance").asText()).isEqualTo(api.self().toString());
        assertThat(status.path("state").asText()).isEqualTo("RUNNING");
        assertThat(status.path("at").asText()).isEqualTo(ApiFixture.NOW.toString());
        assertThat(status.path("instances").toString()).isEqualTo("[{\"instance\":\"" + api.self() + "\",\"self\":true,"
            + "\"active\":{\"" + EVENTS + "\":[0,1],\"" + REQUESTS + "\":[0,1]},\"standby\":{\"" + EVENTS + "\":[2]}},"
            + "{\"instance\":\"processor-1.processors:8080\",\"self\":false,\"active\":{\"" + EVENTS + "\":[2]},"
            + "\"standby\":{}}]");
        assertThat(status.path("tasks").toString()).isEqualTo("[{\"id\":\"0_0\",\"role\":\"active\",\"inputs\":["
            + "{\"topic\":\"" + EVENTS + "\",\"partition\":0,\"lag\":3},{\"topic\":\"" + REQUESTS + "\",\"partition\":0,"
            + "\"lag\":null}],\"storeLag\":null},{\"id\":\"0_2\",\"role\":\"standby\",\"inputs\":[{\"topic\":\"" + EVENTS
            + "\",\"partition\":2,\"lag\":null}],\"storeLag\":12}]");
    }

    @Test
    void shouldCountTheFoldAndKeepOnlyTheNewestSnapshotsAndDeadLetters() throws IOException {
        Api api = start(Optional.empty(), Optional.empty());
        activity.eventFolded();
        activity.eventFolded();
        int taken = RecentActivity.RECENT + 5;
        for (long version = 1; version <= taken; version++) {
            Snapshot snapshot = SnapshotEndpointsTest.snapshot(version).snapshot();
            if (version == taken) {
                snapshot.getMetadata().setReason(SnapshotReason.MANUAL);
            }
            activity.snapshotTaken(snapshot);
        }
        String longKey = "k".repeat(1_000);
        activity.deadLettered(DeadLetterReason.UNDECODABLE, deadLetter(longKey, DeadLetterReason.UNDECODABLE, "not avro"));
        activity.deadLettered(DeadLetterReason.SEQUENCE_GAP, deadLetter("item-gap", DeadLetterReason.SEQUENCE_GAP,
            "events 1..4 are missing"));

        JsonNode status = status(api);

        JsonNode counts = status.path("counts");
        assertThat(counts.path("eventsFolded").asLong()).isEqualTo(2);
        assertThat(counts.path("snapshots").toString()).isEqualTo("{\"COUNT\":" + (taken - 1) + ",\"TIME\":0,\"MANUAL\":1}");
        assertThat(counts.path("deadLetters").size()).isEqualTo(DeadLetterReason.values().length);
        assertThat(counts.path("deadLetters").path("UNDECODABLE").asLong()).isEqualTo(1);
        assertThat(counts.path("deadLetters").path("SEQUENCE_GAP").asLong()).isEqualTo(1);
        assertThat(counts.path("deadLetters").path("FOLD_FAILED").asLong()).isZero();
        JsonNode snapshots = status.path("recentSnapshots");
        assertThat(snapshots).hasSize(RecentActivity.RECENT);
        assertThat(snapshots.get(0).toString()).isEqualTo("{\"aggregateId\":\"item-1\",\"aggregateType\":\"InventoryItem\","
            + "\"version\":" + taken + ",\"reason\":\"MANUAL\",\"storedBytes\":7,\"checksum\":\""
            + SnapshotEndpointsTest.snapshot(taken).snapshot().getChecksum() + "\",\"at\":\"" + ApiFixture.NOW + "\"}");
        assertThat(snapshots.get(RecentActivity.RECENT - 1).path("version").asLong()).isEqualTo(taken - RecentActivity.RECENT + 1);
        JsonNode deadLetters = status.path("recentDeadLetters");
        assertThat(deadLetters).hasSize(2);
        assertThat(deadLetters.get(0).toString()).isEqualTo("{\"key\":\"item-gap\",\"reason\":\"SEQUENCE_GAP\","
            + "\"error\":\"events 1..4 are missing\",\"source\":\"" + EVENTS + "-2@41\",\"at\":\"" + ApiFixture.NOW + "\"}");
        assertThat(deadLetters.get(1).path("key").asText()).hasSize(256 + 3).endsWith("k...");
    }

    @Test
    void shouldShowTheSnapshotWritersLagWhenThereIsOne() throws IOException {
        JsonNode without = status(start(Optional.empty(), Optional.empty()));
        JsonNode with = status(start(Optional.of(() -> new SnapshotRelay.Status(false, ApiFixture.AT, "table gone", 3)),
            Optional.of(() -> 42L)));

        assertThat(without.path("snapshotWriter").isNull()).isTrue();
        assertThat(with.path("snapshotWriter").toString()).isEqualTo("{\"alive\":false,\"lag\":42}");
    }

    private static Record<byte[], byte[]> deadLetter(String key, DeadLetterReason reason, String error) {
        return new Record<>(key.getBytes(StandardCharsets.UTF_8), new byte[] {1}, 0L, DeadLetters.withReason(
            new RecordHeaders(), reason, error, EVENTS, 2, 41, ApiFixture.NOW.toEpochMilli()));
    }
}
