package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.query.AggregateListing.Entry;
import io.snapshotter.query.AggregateListing.NotPlaced;
import io.snapshotter.query.AggregateListing.NotReady;
import io.snapshotter.query.AggregateListing.Page;
import io.snapshotter.query.AggregateListing.Placed;
import io.snapshotter.query.AggregateListing.Query;
import io.snapshotter.query.Instance;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /aggregates} over fakes: its parameters checked, the pages of the instances merged in id
 * order, and a 503 (naming no instance) whenever one part of the store cannot be listed.
 */
class AggregateListEndpointTest {

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    @Test
    void shouldRefuseBadParametersNamingThem() {
        Api api = fixture.start(new FakeQueries());

        assertThat(ApiFixture.problem(fixture.get(api, "/aggregates?limit=0"), Problem.INVALID_PARAMETER)
            .path("parameter").asText()).isEqualTo("limit");
        assertThat(ApiFixture.problem(fixture.get(api, "/aggregates?limit=1001"), Problem.INVALID_PARAMETER)
            .path("detail").asText()).isEqualTo("limit must be between 1 and 1000, was 1001");
        assertThat(ApiFixture.problem(fixture.get(api, "/aggregates?limit=ten"), Problem.INVALID_PARAMETER)
            .path("parameter").asText()).isEqualTo("limit");
        assertThat(ApiFixture.problem(fixture.get(api, "/aggregates?after=a%0Ab"), Problem.INVALID_PARAMETER)
            .path("parameter").asText()).isEqualTo("after");
        assertThat(ApiFixture.problem(fixture.get(api, "/aggregates?type="), Problem.INVALID_PARAMETER)
            .path("parameter").asText()).isEqualTo("type");
        assertThat(ApiFixture.problem(fixture.get(api, "/aggregates", ApiHeaders.FORWARDED_BY, "10.0.0.9:8080"),
            Problem.INVALID_PARAMETER).path("parameter").asText()).isEqualTo("partitions");
    }

    @Test
    void shouldMergeThePagesOfEveryInstanceInIdOrder() throws IOException {
        FakeQueries otherQueries = new FakeQueries();
        otherQueries.listing = new Page(List.of(entry("item-b", 2), entry("item-d", 4), entry("item-f", 6)), true);
        Api other = fixture.start(otherQueries);
        FakeQueries askedQueries = new FakeQueries();
        askedQueries.listing = new Page(List.of(entry("item-a", 1), entry("item-c", 3), entry("item-e", 5)), false);
        Api asked = fixture.start(askedQueries);
        askedQueries.placement = new Placed(Map.of(asked.self(), Set.of(0, 2), other.self(), Set.of(1, 3)));

        HttpResponse<String> response = fixture.get(asked, "/aggregates?type=InventoryItem&limit=3&after=item-0");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode page = Json.MAPPER.readTree(response.body());
        assertThat(page.path("aggregates").findValuesAsText("aggregateId")).containsExactly("item-a", "item-b", "item-c");
        assertThat(page.path("aggregates").get(1).path("version").asLong()).isEqualTo(2);
        assertThat(page.path("aggregates").get(1).path("aggregateType").asText()).isEqualTo("InventoryItem");
        assertThat(page.path("nextAfter").asText()).isEqualTo("item-c");
        assertThat(page.path("next").asText()).isEqualTo("/aggregates?type=InventoryItem&limit=3&after=item-c");
        assertThat(askedQueries.listed).containsExactly(new Query("InventoryItem", "item-0", 3));
        assertThat(otherQueries.listed).as("the other instance lists its own store").containsExactly(
            new Query("InventoryItem", "item-0", 3));
    }

    @Test
    void shouldEndWithoutANextPageWhenNoInstanceHasMore() throws IOException {
        FakeQueries queries = new FakeQueries();
        queries.listing = new Page(List.of(entry("order/1", 1)), false);
        Api api = fixture.start(queries);
        queries.placement = new Placed(Map.of(api.self(), Set.of(0)));

        JsonNode page = Json.MAPPER.readTree(fixture.get(api, "/aggregates").body());

        assertThat(page.path("aggregates").findValuesAsText("aggregateId")).containsExactly("order/1");
        assertThat(page.path("limit").asInt()).isEqualTo(AggregateListRoutes.DEFAULT_LIMIT);
        assertThat(page.path("nextAfter").isNull()).isTrue();
        assertThat(page.path("next").isNull()).isTrue();
    }

    @Test
    void shouldAnswer503NamingNoInstanceWhenAnotherInstanceIsUnreachable() {
        Instance gone = new Instance("127.0.0.1", ApiFixture.closedPort());
        FakeQueries queries = new FakeQueries();
        queries.listing = new Page(List.of(entry("item-a", 1)), false);
        Api api = fixture.start(queries);
        queries.placement = new Placed(Map.of(api.self(), Set.of(0), gone, Set.of(1)));

        HttpResponse<String> response = fixture.get(api, "/aggregates?limit=10");

        ApiFixture.problem(response, Problem.INSTANCE_UNAVAILABLE);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.body()).doesNotContain(gone.host(), ":" + gone.port(), "item-a");
    }

    @Test
    void shouldAnswer503WhileAPartitionCannotBeListed() {
        FakeQueries notPlaced = new FakeQueries();
        notPlaced.placement = new NotPlaced("partition 3 has no active copy on 10.0.0.7:8080");
        FakeQueries notHere = new FakeQueries();
        notHere.listing = new NotReady("the active copy of partition 2 is not queryable here");

        HttpResponse<String> unplaced = fixture.get(fixture.start(notPlaced), "/aggregates");
        HttpResponse<String> forwarded = fixture.get(fixture.start(notHere), "/aggregates?partitions=2",
            ApiHeaders.FORWARDED_BY, "10.0.0.9:8080");

        ApiFixture.problem(unplaced, Problem.STORE_NOT_READY);
        assertThat(unplaced.body()).doesNotContain("10.0.0.7", "partition 3");
        ApiFixture.problem(forwarded, Problem.STORE_NOT_READY);
    }

    private static Entry entry(String aggregateId, long version) {
        return new Entry(aggregateId, "InventoryItem", version);
    }
}
