package io.snapshotter.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapshotter.query.AggregateListing;
import io.snapshotter.query.AggregateListing.Entry;
import io.snapshotter.query.AggregateListing.NotPlaced;
import io.snapshotter.query.AggregateListing.NotReady;
import io.snapshotter.query.AggregateListing.Page;
import io.snapshotter.query.AggregateListing.Placed;
import io.snapshotter.query.AggregateListing.Placement;
import io.snapshotter.query.AggregateListing.Query;
import io.snapshotter.query.AggregateQueries;
import io.snapshotter.query.Instance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * {@code GET /aggregates?type=&limit=&after=}: the aggregates of the whole application (of one type,
 * or all), in aggregateId order ({@link AggregateListing#ID_ORDER}), {@code limit} at a time, each
 * page naming the cursor of the next. Each instance holds only its partitions, so the instance asked
 * asks every instance at once for its first {@code limit} after the cursor (its own store it reads
 * itself) and merges them. Which instance lists which partitions is decided here, from the metadata,
 * and sent along ({@code partitions}, with {@link ApiHeaders#FORWARDED_BY}): an instance that no
 * longer holds one answers 503 instead of leaving it out. Any instance that cannot answer makes the
 * page a 503: never a page with some partitions missing.
 */
final class AggregateListRoutes {

    static final String LIST = "/aggregates";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;
    /** The partitions an instance is asked to list, on the call between instances. */
    static final String PARTITIONS = "partitions";

    private final AggregateQueries queries;
    private final Forwarder forwarder;
    private final Instance self;
    private final int retryAfterSeconds;

    AggregateListRoutes(AggregateQueries queries, Forwarder forwarder, Instance self, int retryAfterSeconds) {
        this.queries = queries;
        this.forwarder = forwarder;
        this.self = self;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    ApiResponse list(ApiRequest request) {
        String type = request.queryParam("type") == null ? null : AggregateIds.requireParameter("type",
            request.queryParam("type"));
        String after = request.queryParam("after") == null ? null : AggregateIds.requireParameter("after",
            request.queryParam("after"));
        int limit = (int) SnapshotRoutes.longParam("limit", request.queryParam("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT);
        Query query = new Query(type, after, limit);
        if (request.header(ApiHeaders.FORWARDED_BY) != null) {
            return listedHere(query, partitions(request.queryParam(PARTITIONS)));
        }
        Placement placement = queries.placement();
        if (placement instanceof NotPlaced notPlaced) {
            return notReady(notPlaced.reason());
        }
        return merged(query, ((Placed) placement).partitions());
    }

    /** The page of the partitions asked for, from this instance's store alone. */
    private ApiResponse listedHere(Query query, Set<Integer> partitions) {
        AggregateListing listing = queries.list(query, partitions);
        if (listing instanceof NotReady notReady) {
            return notReady(notReady.reason());
        }
        return ApiResponse.json(200, toJson(query, (Page) listing));
    }

    private ApiResponse merged(Query query, Map<Instance, Set<Integer>> placed) {
        Map<Instance, CompletableFuture<ApiResponse>> asked = new LinkedHashMap<>();
        placed.forEach((instance, partitions) -> {
            if (!instance.equals(self)) {
                asked.put(instance, forwarder.getAsync(instance, internalPath(query, partitions)));
            }
        });
        try {
            List<Page> pages = new ArrayList<>();
            if (placed.containsKey(self)) {
                AggregateListing here = queries.list(query, placed.get(self));
                if (here instanceof NotReady notReady) {
                    return notReady(notReady.reason());
                }
                pages.add((Page) here);
            }
            for (var answer : asked.entrySet()) {
                Instance instance = answer.getKey();
                ApiResponse response;
                try {
                    response = answer.getValue().get();
                } catch (ExecutionException e) {
                    return unavailable(instance + " did not answer: " + e.getCause());
                }
                if (response.status() == 503) {
                    return notReady(instance + " cannot list its partitions " + placed.get(instance) + " now: "
                        + new String(response.body(), StandardCharsets.UTF_8));
                }
                if (response.status() != 200) {
                    return unavailable(instance + " answered " + response.status() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
                }
                try {
                    pages.add(page(response));
                } catch (IOException | RuntimeException e) {
                    return unavailable(instance + " answered a page that does not parse: " + e);
                }
            }
            return ApiResponse.json(200, toJson(query, merge(query.limit(), pages)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted while asking " + asked.keySet());
        } finally {
            asked.values().forEach(future -> future.cancel(true));
        }
    }

    /**
     * The first {@code limit} of the pages together. Each page holds its instance's first {@code limit}
     * after the cursor, so none of the first {@code limit} of all is missing; there are more when
     * some were left over or an instance had more.
     */
    static Page merge(int limit, List<Page> pages) {
        List<Entry> all = pages.stream().flatMap(page -> page.aggregates().stream())
            .sorted((a, b) -> AggregateListing.ID_ORDER.compare(a.aggregateId(), b.aggregateId()))
            .collect(Collectors.toCollection(ArrayList::new));
        boolean more = all.size() > limit || pages.stream().anyMatch(Page::more);
        return new Page(List.copyOf(all.subList(0, Math.min(limit, all.size()))), more);
    }

    private static String internalPath(Query query, Set<Integer> partitions) {
        return LIST + "?" + queryString(query.aggregateType(), query.limit(), query.after()) + "&" + PARTITIONS + "="
            + partitions.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String queryString(String type, int limit, String after) {
        return (type == null ? "" : "type=" + PathCodec.encode(type) + "&") + "limit=" + limit
            + (after == null ? "" : "&after=" + PathCodec.encode(after));
    }

    /** @throws ApiException (400) unless a comma-separated list of partition numbers */
    private static Set<Integer> partitions(String value) {
        if (value == null || value.isEmpty()) {
            throw ApiException.invalidParameter(PARTITIONS, PARTITIONS + " is needed on a listing between instances");
        }
        Set<Integer> partitions = new TreeSet<>();
        for (String number : value.split(",", -1)) {
            partitions.add((int) SnapshotRoutes.longParam(PARTITIONS, number, 0, 0, Integer.MAX_VALUE));
        }
        return partitions;
    }

    static ObjectNode toJson(Query query, Page page) {
        ObjectNode json = Json.object()
            .put("type", query.aggregateType())
            .put("limit", query.limit())
            .put("after", query.after());
        ArrayNode aggregates = json.putArray("aggregates");
        page.aggregates().forEach(entry -> aggregates.addObject()
            .put("aggregateId", entry.aggregateId())
            .put("aggregateType", entry.aggregateType())
            .put("version", entry.version()));
        if (page.more() && !page.aggregates().isEmpty()) {
            String last = page.aggregates().get(page.aggregates().size() - 1).aggregateId();
            json.put("nextAfter", last).put("next", LIST + "?" + queryString(query.aggregateType(), query.limit(), last));
        } else {
            json.putNull("nextAfter").putNull("next");
        }
        return json;
    }

    private static Page page(ApiResponse response) throws IOException {
        JsonNode json = Json.parse(response.body());
        JsonNode aggregates = json.path("aggregates");
        if (!aggregates.isArray()) {
            throw new IOException("no aggregates in " + json);
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode entry : aggregates) {
            entries.add(new Entry(entry.get("aggregateId").asText(), entry.get("aggregateType").asText(),
                entry.get("version").asLong()));
        }
        return new Page(entries, !json.path("nextAfter").isNull() && !json.path("nextAfter").isMissingNode());
    }

    /** The reasons name instances and partitions: the log has them, under the correlation id. */
    private ApiResponse notReady(String reason) {
        return ApiResponse.unavailable(Problem.STORE_NOT_READY, "not every partition of the aggregates store can be "
            + "listed now (a rebalance or a restore is under way); try again", retryAfterSeconds).logging(reason);
    }

    private ApiResponse unavailable(String reason) {
        return ApiResponse.unavailable(Problem.INSTANCE_UNAVAILABLE, "an instance of the processor did not answer "
            + "with its aggregates, so the list would be incomplete; try again", retryAfterSeconds).logging(reason);
    }
}
