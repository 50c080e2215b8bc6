package io.snapshotter.http;

import static io.snapshotter.http.ApiFixture.RETRY_AFTER;
import static io.snapshotter.http.ApiFixture.found;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.query.AggregateView;
import io.snapshotter.query.AggregateLookup.Found;
import io.snapshotter.query.AggregateLookup.NotReady;
import io.snapshotter.query.AggregateLookup.OnAnotherInstance;
import io.snapshotter.query.AggregateLookup.Replica;
import io.snapshotter.query.AggregateLookup.ServedFrom;
import io.snapshotter.query.AggregateQueries.Routing;
import io.snapshotter.query.Instance;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /aggregates/{aggregateId}}: local answers, forwarding, standby answers and errors. */
class AggregateEndpointTest {

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    @Test
    void shouldAnswerTheCurrentStateOfAnAggregateThisInstanceOwns() throws IOException {
        FakeQueries queries = new FakeQueries();
        queries.answers.put("item-1", found("item-1", 5, 2));
        Api api = fixture.start(queries);

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue(ApiHeaders.SERVED_BY)).hasValue(api.self().toString());
        assertThat(response.headers().firstValue(ApiHeaders.REPLICA)).hasValue("active");
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("aggregateId").asText()).isEqualTo("item-1");
        assertThat(body.get("aggregateType").asText()).isEqualTo("InventoryItem");
        assertThat(body.get("version").asLong()).isEqualTo(5);
        assertThat(body.get("lastEventId").asText()).isEqualTo("event-5");
        assertThat(body.get("lastEventTimestamp").asText()).isEqualTo(ApiFixture.AT.toString());
        assertThat(body.get("eventsSinceSnapshot").asLong()).isEqualTo(2);
        assertThat(body.get("lastSnapshotVersion").asLong()).isEqualTo(3);
        assertThat(body.get("state").toString()).isEqualTo(AvroJson.toJson(ApiFixture.STATE).toString());
        assertThat(body.get("parked").isNull()).isTrue();
        assertThat(queries.routings).containsExactly(Routing.MAY_FORWARD);
    }

    @Test
    void shouldShowAParkedAggregateWithTheRejectedSequenceAndHowToReDrive() throws IOException {
        FakeQueries queries = new FakeQueries();
        AggregateView plain = ApiFixture.aggregate("item-1", 5, 2);
        AggregateView parked = new AggregateView(plain.aggregateId(), plain.aggregateType(), plain.version(),
            plain.lastEventId(), plain.lastEventTimestamp(), plain.eventsSinceSnapshot(), plain.lastSnapshotVersion(),
            plain.state(), new AggregateView.Parking(6, "event-6", "FOLD_FAILED", "cannot ship 9", ApiFixture.AT,
                "inventory-events-0@17", 3));
        queries.answers.put("item-1", new Found(parked, ServedFrom.ACTIVE));
        Api api = fixture.start(queries);

        JsonNode body = Json.MAPPER.readTree(fixture.get(api, "/aggregates/item-1").body());

        JsonNode json = body.get("parked");
        assertThat(json.get("sequence").asLong()).isEqualTo(6);
        assertThat(json.get("reason").asText()).isEqualTo("FOLD_FAILED");
        assertThat(json.get("error").asText()).isEqualTo("cannot ship 9");
        assertThat(json.get("source").asText()).isEqualTo("inventory-events-0@17");
        assertThat(json.get("eventsHeld").asLong()).isEqualTo(3);
        assertThat(json.get("redrive").asText()).isEqualTo("dead-letters redrive --aggregate item-1");
        assertThat(body.get("version").asLong()).isEqualTo(5);
    }

    @Test
    void shouldAnswer404ForAnUnknownAggregate() throws IOException {
        Api api = fixture.start(new FakeQueries());

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-404");

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("status").asInt()).isEqualTo(404);
        assertThat(body.get("reason").asText()).contains("item-404");
    }

    @Test
    void shouldDecodeAPercentEncodedAggregateId() {
        FakeQueries queries = new FakeQueries();
        queries.answers.put("order/42 ü", found("order/42 ü", 1, 1));
        Api api = fixture.start(queries);

        HttpResponse<String> response = fixture.get(api, "/aggregates/order%2F42%20%C3%BC");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"aggregateId\":\"order/42 ü\"");
    }

    @Test
    void shouldAnswer400ForAMalformedAggregateId() {
        Api api = fixture.start(new FakeQueries());

        assertThat(fixture.get(api, "/aggregates/" + "x".repeat(257)).statusCode()).isEqualTo(400);
        assertThat(fixture.get(api, "/aggregates/item%0A1").statusCode()).isEqualTo(400);
        assertThat(fixture.get(api, "/aggregates/item%C3%28").statusCode()).isEqualTo(400);
        assertThat(fixture.get(api, "/aggregates/" + "x".repeat(256)).statusCode()).isEqualTo(404);
        assertThat(fixture.get(api, "/aggregates/item%0A1").body()).contains("control character");
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileTheKeysStoreIsNotQueryable() {
        FakeQueries queries = new FakeQueries();
        queries.answers.put("item-1", new NotReady("partition 3 is owned by 10.0.0.2:8080"));
        Api api = fixture.start(queries);

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1");

        JsonNode problem = ApiFixture.problem(response, Problem.STORE_NOT_READY);
        assertThat(response.headers().firstValue("Retry-After")).hasValue(Integer.toString(RETRY_AFTER));
        assertThat(problem.path("detail").asText()).contains("'item-1'");
        assertThat(response.body()).doesNotContain("10.0.0.2", "partition 3");
    }

    @Test
    void shouldFetchTheStateFromTheInstanceThatOwnsTheKey() {
        FakeQueries ownerQueries = new FakeQueries();
        ownerQueries.answers.put("item-1", found("item-1", 9, 1));
        Api owner = fixture.start(ownerQueries);
        FakeQueries askedQueries = new FakeQueries();
        askedQueries.answers.put("item-1", new OnAnotherInstance(owner.self()));
        Api asked = fixture.start(askedQueries);

        HttpResponse<String> response = fixture.get(asked, "/aggregates/item-1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"version\":9");
        assertThat(response.headers().firstValue(ApiHeaders.SERVED_BY)).hasValue(owner.self().toString());
        assertThat(ownerQueries.routings).as("the owner answers a forwarded lookup itself").containsExactly(Routing.LOCAL_ONLY);
    }

    @Test
    void shouldNeverForwardAForwardedLookupAgain() {
        FakeQueries queries = new FakeQueries();
        queries.answers.put("item-1", new OnAnotherInstance(new Instance("127.0.0.1", ApiFixture.closedPort())));
        Api api = fixture.start(queries);

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1", ApiHeaders.FORWARDED_BY, "10.0.0.9:8080");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(queries.routings).containsExactly(Routing.LOCAL_ONLY);
    }

    @Test
    void shouldRelayTheOwners503WithItsRetryAfter() {
        FakeQueries ownerQueries = new FakeQueries();
        ownerQueries.answers.put("item-1", new NotReady("restoring"));
        Api owner = fixture.start(ownerQueries);
        FakeQueries askedQueries = new FakeQueries();
        askedQueries.answers.put("item-1", new OnAnotherInstance(owner.self()));
        Api asked = fixture.start(askedQueries);

        HttpResponse<String> response = fixture.get(asked, "/aggregates/item-1");

        JsonNode problem = ApiFixture.problem(response, Problem.STORE_NOT_READY);
        assertThat(response.headers().firstValue("Retry-After")).hasValue(Integer.toString(RETRY_AFTER));
        assertThat(response.body()).doesNotContain("restoring", owner.self().toString());
        assertThat(problem.path("correlationId").asText()).as("the owner's, under which its log has the reason")
            .isNotEmpty();
    }

    @Test
    void shouldAnswerFromAFreshLocalCopyWhenTheOwnerDoesNotAnswer() {
        FakeQueries queries = new FakeQueries();
        queries.answers.put("item-1", new OnAnotherInstance(new Instance("127.0.0.1", ApiFixture.closedPort())));
        queries.localAnswers.put("item-1", new Found(ApiFixture.aggregate("item-1", 4, 0),
            new ServedFrom(Replica.STANDBY, 12)));
        Api api = fixture.start(queries);

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(ApiHeaders.REPLICA)).hasValue("standby");
        assertThat(response.headers().firstValue(ApiHeaders.LAG)).hasValue("12");
        assertThat(queries.routings).containsExactly(Routing.MAY_FORWARD, Routing.LOCAL_ONLY);
    }

    @Test
    void shouldAnswer503WhenTheOwnerDoesNotAnswerAndNoLocalCopyMay() {
        Instance gone = new Instance("127.0.0.1", ApiFixture.closedPort());
        FakeQueries queries = new FakeQueries();
        queries.answers.put("item-1", new OnAnotherInstance(gone));
        Api api = fixture.start(queries);

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1");

        JsonNode problem = ApiFixture.problem(response, Problem.INSTANCE_UNAVAILABLE);
        assertThat(response.headers().firstValue("Retry-After")).hasValue(Integer.toString(RETRY_AFTER));
        assertThat(problem.path("detail").asText()).contains("'item-1'");
        assertThat(response.body()).as("the owner's address is in the log only")
            .doesNotContain(gone.host(), ":" + gone.port(), "Connect");
    }
}
