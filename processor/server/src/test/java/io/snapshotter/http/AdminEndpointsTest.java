package io.snapshotter.http;

import static io.snapshotter.http.ApiFixture.PRINCIPAL;
import static io.snapshotter.http.ApiFixture.TOKEN;
import static io.snapshotter.http.ApiFixture.found;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.http.ApiFixture.FakeRequests;
import io.snapshotter.query.AggregateLookup.OnAnotherInstance;
import io.snapshotter.snapshot.SnapshotRetention;
import io.snapshotter.topology.SnapshotRequest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin endpoints: bearer token, manual snapshot requests, the retention sweep, the audit log. */
class AdminEndpointsTest {

    private static final String[] AUTHORIZED = {"Authorization", "Bearer " + TOKEN};

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    @RegisterExtension
    final CapturedAudit audit = new CapturedAudit();

    private final FakeQueries queries = new FakeQueries();
    private final FakeRequests requests = new FakeRequests();

    private Api api(Optional<SnapshotRetention> retention) {
        return fixture.start(queries, Optional.of(TOKEN), Optional.empty(), retention, requests);
    }

    @Test
    void shouldAnswer401WithoutABearerToken() {
        queries.answers.put("item-1", found("item-1", 5, 2));
        Api api = api(Optional.empty());

        HttpResponse<String> response = fixture.post(api, "/admin/snapshots/item-1", "");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"snapshotter-admin\"");
        assertThat(fixture.post(api, "/admin/snapshots/item-1", "", "Authorization", "Basic " + TOKEN).statusCode())
            .isEqualTo(401);
        assertThat(requests.written).isEmpty();
    }

    @Test
    void shouldAnswer403WithAWrongToken() {
        queries.answers.put("item-1", found("item-1", 5, 2));
        Api api = api(Optional.empty());

        assertThat(fixture.post(api, "/admin/snapshots/item-1", "", "Authorization", "Bearer not-" + TOKEN).statusCode())
            .isEqualTo(403);
        assertThat(fixture.post(api, "/admin/snapshots/item-1", "", "Authorization", "Bearer " + TOKEN.substring(1))
            .statusCode()).isEqualTo(403);
        assertThat(fixture.post(api, "/admin/snapshots/cleanup", "", "Authorization", "Bearer wrong").statusCode())
            .isEqualTo(403);
        assertThat(requests.written).isEmpty();
    }

    @Test
    void shouldTurnTheAdminEndpointsOffWhenNoTokenIsConfigured() {
        queries.answers.put("item-1", found("item-1", 5, 2));
        Api api = fixture.start(queries, Optional.empty(), Optional.empty(), Optional.of(new CountingRetention()), requests);

        HttpResponse<String> snapshot = fixture.post(api, "/admin/snapshots/item-1", "", AUTHORIZED);
        HttpResponse<String> cleanup = fixture.post(api, "/admin/snapshots/cleanup", "", AUTHORIZED);

        assertThat(snapshot.statusCode()).isEqualTo(404);
        assertThat(snapshot.body()).contains("admin endpoints are off");
        assertThat(cleanup.statusCode()).isEqualTo(404);
        assertThat(requests.written).isEmpty();
    }

    @Test
    void shouldWriteAManualSnapshotRequestForTheAggregateAndAnswer202() throws IOException {
        queries.answers.put("item-1", found("item-1", 5, 2));
        Api api = api(Optional.empty());

        HttpResponse<String> response = fixture.post(api, "/admin/snapshots/item-1", "{\"note\": \"before the migration\"}",
            "Authorization", "Bearer " + TOKEN, ApiHeaders.REQUEST_BY, "alice");

        assertThat(response.statusCode()).isEqualTo(202);
        SnapshotRequest written = requests.written.get("item-1");
        assertThat(written.requestedBy()).isEqualTo(PRINCIPAL + " (alice)");
        assertThat(written.note()).isEqualTo("before the migration");
        assertThat(written.requestedAt()).isEqualTo(ApiFixture.NOW.toEpochMilli());
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("requestId").asText()).isEqualTo(written.requestId());
        assertThat(body.get("version").asLong()).isEqualTo(5);
    }

    @Test
    void shouldCheckThatTheAggregateExistsOnTheInstanceThatOwnsIt() {
        FakeQueries ownerQueries = new FakeQueries();
        ownerQueries.answers.put("item-1", found("item-1", 5, 2));
        Api owner = fixture.start(ownerQueries);
        queries.answers.put("item-1", new OnAnotherInstance(owner.self()));
        Api api = api(Optional.empty());

        assertThat(fixture.post(api, "/admin/snapshots/item-1", "", AUTHORIZED).statusCode()).isEqualTo(202);
        assertThat(requests.written).containsKey("item-1");
    }

    @Test
    void shouldAnswer404ForAManualSnapshotOfAnUnknownAggregate() {
        Api api = api(Optional.empty());

        assertThat(fixture.post(api, "/admin/snapshots/item-404", "", AUTHORIZED).statusCode()).isEqualTo(404);
        assertThat(requests.written).isEmpty();
    }

    @Test
    void shouldAnswer409WhenNothingWasFoldedSinceTheLastSnapshot() throws IOException {
        queries.answers.put("item-1", found("item-1", 5, 0));
        Api api = api(Optional.empty());

        HttpResponse<String> response = fixture.post(api, "/admin/snapshots/item-1", "", AUTHORIZED);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(Json.MAPPER.readTree(response.body()).get("version").asLong()).isEqualTo(5);
        assertThat(requests.written).isEmpty();
    }

    @Test
    void shouldAnswer400ForAMalformedIdOrBody() {
        queries.answers.put("item-1", found("item-1", 5, 2));
        Api api = api(Optional.empty());

        assertThat(fixture.post(api, "/admin/snapshots/item%0A", "", AUTHORIZED).statusCode()).isEqualTo(400);
        assertThat(fixture.post(api, "/admin/snapshots/item-1", "{not json", AUTHORIZED).statusCode()).isEqualTo(400);
        assertThat(fixture.post(api, "/admin/snapshots/item-1", "{\"note\": 42}", AUTHORIZED).statusCode()).isEqualTo(400);
        assertThat(requests.written).isEmpty();
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenTheRequestCannotBeWritten() {
        queries.answers.put("item-1", found("item-1", 5, 2));
        requests.failure = new IllegalStateException("no broker");
        Api api = api(Optional.empty());

        HttpResponse<String> response = fixture.post(api, "/admin/snapshots/item-1", "", AUTHORIZED);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }

    /** The sweep's status, polled until it is no longer running. */
    private JsonNode finishedSweep(Api api) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            HttpResponse<String> status = fixture.get(api, "/admin/snapshots/cleanup", AUTHORIZED);
            assertThat(status.statusCode()).isEqualTo(200);
            JsonNode body = Json.MAPPER.readTree(status.body());
            if (!body.get("status").asText().equals("running") || System.nanoTime() > deadline) {
                return body;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void shouldStartTheRetentionSweepInTheBackgroundAndShowItsCountsOnceDone() throws Exception {
        CountingRetention retention = new CountingRetention();
        Api api = api(Optional.of(retention));
        assertThat(Json.MAPPER.readTree(fixture.get(api, "/admin/snapshots/cleanup", AUTHORIZED).body())
            .get("status").asText()).isEqualTo("idle");

        HttpResponse<String> response = fixture.post(api, "/admin/snapshots/cleanup", "", AUTHORIZED);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(Json.MAPPER.readTree(response.body()).get("statusUrl").asText()).isEqualTo("/admin/snapshots/cleanup");
        JsonNode done = finishedSweep(api);
        assertThat(done.get("status").asText()).isEqualTo("done");
        assertThat(done.get("snapshotsScanned").asLong()).isEqualTo(12);
        assertThat(done.get("aggregatesPruned").asLong()).isEqualTo(2);
        assertThat(done.get("snapshotsDeleted").asLong()).isEqualTo(5);
        assertThat(done.get("finishedAt").asText()).isNotBlank();
        assertThat(retention.sweeps).isEqualTo(1);
    }

    @Test
    void shouldAnswer409WhileASweepIsRunningAndShowItRunning() throws Exception {
        CountDownLatch sweeping = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Api api = api(Optional.of(() -> {
            sweeping.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new SnapshotRetention.SweepResult(0, 0, 0);
        }));
        HttpResponse<String> first = fixture.post(api, "/admin/snapshots/cleanup", "", AUTHORIZED);
        assertThat(sweeping.await(30, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> second = fixture.post(api, "/admin/snapshots/cleanup", "", AUTHORIZED);
        JsonNode running = Json.MAPPER.readTree(fixture.get(api, "/admin/snapshots/cleanup", AUTHORIZED).body());
        release.countDown();

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(running.get("status").asText()).isEqualTo("running");
        assertThat(finishedSweep(api).get("status").asText()).isEqualTo("done");
    }

    @Test
    void shouldShowAFailedSweepWithItsError() throws Exception {
        Api api = api(Optional.of(() -> {
            throw new IllegalStateException("DynamoDB refused the scan");
        }));

        assertThat(fixture.post(api, "/admin/snapshots/cleanup", "", AUTHORIZED).statusCode()).isEqualTo(202);

        JsonNode failed = finishedSweep(api);
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("error").asText()).isEqualTo("DynamoDB refused the scan");
    }

    @Test
    void shouldRefuseTheSweepStatusWithoutTheToken() {
        Api api = api(Optional.of(new CountingRetention()));

        assertThat(fixture.get(api, "/admin/snapshots/cleanup").statusCode()).isEqualTo(401);
    }

    @Test
    void shouldAnswer503WhenNoSnapshotStoreIsConfiguredForTheSweep() {
        HttpResponse<String> response = fixture.post(api(Optional.empty()), "/admin/snapshots/cleanup", "", AUTHORIZED);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("the snapshot store is not configured (dynamodb.enabled=false)");
    }

    @Test
    void shouldWriteEveryAdminCallToTheAuditLogWithWhoWhatWhenAndOutcome() {
        queries.answers.put("item-1", found("item-1", 5, 2));
        Api api = api(Optional.of(new CountingRetention()));

        fixture.post(api, "/admin/snapshots/item-1", "", "Authorization", "Bearer " + TOKEN, ApiHeaders.REQUEST_BY, "alice");
        fixture.post(api, "/admin/snapshots/item-1", "");
        fixture.post(api, "/admin/snapshots/item-1", "", "Authorization", "Bearer guess", ApiHeaders.REQUEST_BY, "mallory");
        fixture.post(api, "/admin/snapshots/cleanup", "", AUTHORIZED);

        List<JsonNode> entries = audit.entries();
        assertThat(entries).extracting(e -> e.get("action").asText(), e -> e.get("target").asText(null),
                e -> e.get("status").asInt(), e -> e.get("outcome").asText())
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("snapshot.request", "item-1", 202, "accepted"),
                org.assertj.core.groups.Tuple.tuple("snapshot.request", "item-1", 401, "denied"),
                org.assertj.core.groups.Tuple.tuple("snapshot.request", "item-1", 403, "denied"),
                org.assertj.core.groups.Tuple.tuple("snapshots.cleanup", null, 202, "accepted"));
        JsonNode accepted = entries.get(0);
        assertThat(accepted.get("at").asText()).isEqualTo(ApiFixture.NOW.toString());
        assertThat(accepted.at("/who/principal").asText()).isEqualTo(PRINCIPAL);
        assertThat(accepted.at("/who/requestBy").asText()).isEqualTo("alice");
        assertThat(accepted.at("/who/remote").asText()).startsWith("127.0.0.1:");
        assertThat(accepted.get("detail").asText()).contains(requests.written.get("item-1").requestId());
        JsonNode denied = entries.get(2);
        assertThat(denied.at("/who/principal").isNull()).isTrue();
        assertThat(denied.at("/who/requestBy").asText()).isEqualTo("mallory");
        assertThat(entries.toString()).doesNotContain(TOKEN).doesNotContain("guess");
    }

    /** A sweep that counts its runs. */
    private static final class CountingRetention implements SnapshotRetention {
        volatile int sweeps;

        @Override
        public SweepResult sweep() {
            sweeps++;
            return new SweepResult(12, 2, 5);
        }
    }
}
