package io.snapshotter.http;

import static io.snapshotter.http.ApiFixture.TOKEN;
import static io.snapshotter.http.ApiFixture.found;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.http.ApiFixture.FakeRequests;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every kind of error is an RFC 9457 problem ({@code application/problem+json}): its type URI, title,
 * status, a detail, the request path as {@code instance}, a correlation id on a 5xx only, and the
 * members a client needs beyond those (the bad parameter's name, the version of a 409).
 */
class ProblemResponsesTest {

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    @Test
    void shouldAnswerAnUnknownAggregateAsAggregateNotFound() {
        Api api = fixture.start(new FakeQueries());

        JsonNode problem = ApiFixture.problem(fixture.get(api, "/aggregates/item-404"), Problem.AGGREGATE_NOT_FOUND);

        assertThat(problem.path("detail").asText()).isEqualTo("no aggregate 'item-404'");
        assertThat(problem.path("reason").asText()).as("kept for the earlier format").isEqualTo("no aggregate 'item-404'");
        assertThat(problem.path("error").asText()).isEqualTo("Not Found");
    }

    @Test
    void shouldNameTheParameterOfABadOne() {
        Api api = fixture.start(new FakeQueries());

        JsonNode limit = ApiFixture.problem(fixture.get(api, "/aggregates/item-1/snapshots?limit=0"),
            Problem.INVALID_PARAMETER);
        JsonNode version = ApiFixture.problem(fixture.get(api, "/aggregates/item-1/snapshots/v2"), Problem.INVALID_PARAMETER);

        assertThat(limit.path("parameter").asText()).isEqualTo("limit");
        assertThat(limit.path("detail").asText()).isEqualTo("limit must be between 1 and 100, was 0");
        assertThat(version.path("parameter").asText()).isEqualTo("version");
    }

    @Test
    void shouldAnswerAMalformedIdAsInvalidAggregateId() {
        Api api = fixture.start(new FakeQueries());

        ApiFixture.problem(fixture.get(api, "/aggregates/item%0A1"), Problem.INVALID_AGGREGATE_ID);
        ApiFixture.problem(fixture.get(api, "/aggregates/item%C3"), Problem.INVALID_AGGREGATE_ID);
    }

    @Test
    void shouldAnswerUnknownPathsAndWrongMethodsAsProblems() {
        Api api = fixture.start(new FakeQueries());

        ApiFixture.problem(fixture.get(api, "/aggregate/item-1"), Problem.ENDPOINT_NOT_FOUND);
        ApiFixture.problem(fixture.get(api, "/console/missing.js"), Problem.ENDPOINT_NOT_FOUND);
        HttpResponse<String> wrongMethod = fixture.post(api, "/aggregates/item-1", "");
        ApiFixture.problem(wrongMethod, Problem.METHOD_NOT_ALLOWED);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void shouldAnswerAdminRefusalsAsProblems() {
        Api off = fixture.start(new FakeQueries(), Optional.empty(), Optional.empty(), Optional.empty(), new FakeRequests());
        Api on = fixture.start(new FakeQueries());

        ApiFixture.problem(fixture.post(off, "/admin/snapshots/item-1", "", "Authorization", "Bearer " + TOKEN),
            Problem.ADMIN_OFF);
        ApiFixture.problem(fixture.post(on, "/admin/snapshots/item-1", ""), Problem.ADMIN_TOKEN_MISSING);
        ApiFixture.problem(fixture.post(on, "/admin/snapshots/item-1", "", "Authorization", "Bearer wrong"),
            Problem.ADMIN_TOKEN_WRONG);
        ApiFixture.problem(fixture.post(on, "/admin/snapshots/item-1", "[1]", "Authorization", "Bearer " + TOKEN),
            Problem.INVALID_BODY);
        ApiFixture.problem(fixture.post(on, "/admin/snapshots/item-1", "x".repeat(ApiRequest.MAX_BODY_BYTES + 1),
            "Authorization", "Bearer " + TOKEN), Problem.BODY_TOO_LARGE);
    }

    @Test
    void shouldSayWhichVersionIsSnapshottedAlreadyInANothingToSnapshotConflict() {
        FakeQueries queries = new FakeQueries();
        queries.answers.put("item-1", found("item-1", 40, 0));
        Api api = fixture.start(queries);

        JsonNode problem = ApiFixture.problem(fixture.post(api, "/admin/snapshots/item-1", "", "Authorization",
            "Bearer " + TOKEN), Problem.NOTHING_TO_SNAPSHOT);

        assertThat(problem.path("aggregateId").asText()).isEqualTo("item-1");
        assertThat(problem.path("version").asLong()).isEqualTo(40);
    }

    @Test
    void shouldAnswerWithoutASnapshotStoreAsSnapshotStoreOffWithoutRetryAfter() {
        Api api = fixture.start(new FakeQueries());

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1/snapshots");

        ApiFixture.problem(response, Problem.SNAPSHOT_STORE_OFF);
        assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void shouldAnswerAFailedSnapshotRequestWithoutTheBrokersText() {
        FakeQueries queries = new FakeQueries();
        queries.answers.put("item-1", found("item-1", 41, 1));
        FakeRequests requests = new FakeRequests();
        requests.failure = new IllegalStateException("broker-3.internal:9092 timed out");
        Api api = fixture.start(queries, Optional.of(TOKEN), Optional.empty(), Optional.empty(), requests);

        HttpResponse<String> response = fixture.post(api, "/admin/snapshots/item-1", "", "Authorization", "Bearer " + TOKEN);

        ApiFixture.problem(response, Problem.SNAPSHOT_REQUEST_FAILED);
        assertThat(response.body()).doesNotContain("broker", "9092");
    }
}
