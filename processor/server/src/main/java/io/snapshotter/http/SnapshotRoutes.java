package io.snapshotter.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.snapshot.CorruptSnapshotException;
import io.snapshotter.snapshot.SnapshotPage;
import io.snapshotter.snapshot.SnapshotHistory;
import io.snapshotter.snapshot.StoredSnapshot;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot history from the snapshot store (DynamoDB): {@code GET /aggregates/{aggregateId}/snapshots}
 * (newest first, {@code limit} 1..{@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}, {@code before}
 * a version to page from; a corrupt snapshot is listed under {@code corrupt}, its version and problem)
 * and {@code GET /aggregates/{aggregateId}/snapshots/{version}}. Without a
 * store both answer 503.
 */
final class SnapshotRoutes {

    static final String HISTORY = "/aggregates/{aggregateId}/snapshots";
    static final String AT_VERSION = "/aggregates/{aggregateId}/snapshots/{version}";
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    static final String NOT_CONFIGURED = "the snapshot store is not configured (dynamodb.enabled=false)";

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotRoutes.class);

    private final Optional<SnapshotHistory> store;
    private final int retryAfterSeconds;

    SnapshotRoutes(Optional<SnapshotHistory> store, int retryAfterSeconds) {
        this.store = store;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    ApiResponse history(ApiRequest request) {
        String aggregateId = AggregateIds.require(request.pathParam("aggregateId"));
        int limit = (int) longParam("limit", request.queryParam("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT);
        Long before = request.queryParam("before") == null ? null
            : longParam("before", request.queryParam("before"), 0, 1, Long.MAX_VALUE);
        if (store.isEmpty()) {
            return notConfigured();
        }
        SnapshotPage page;
        try {
            page = store.get().history(aggregateId, limit, before);
        } catch (CorruptSnapshotException e) {
            return corrupt(aggregateId, e);
        } catch (RuntimeException e) {
            return storeFailed(e);
        }
        ObjectNode json = Json.object().put("aggregateId", aggregateId);
        ArrayNode snapshots = json.putArray("snapshots");
        page.snapshots().forEach(s -> snapshots.add(toJson(s)));
        // a corrupt snapshot is marked, not a 500 for the page: the rest of the history is still good
        ArrayNode corrupt = json.putArray("corrupt");
        page.corrupt().forEach(c -> corrupt.addObject().put("version", c.version()).put("problem", c.problem()));
        if (!page.corrupt().isEmpty()) {
            LOG.error("Corrupt snapshots of '{}' in the snapshot store: {}", aggregateId, page.corrupt());
        }
        if (page.nextBeforeVersion() == null) {
            json.putNull("nextBefore").putNull("next");
        } else {
            json.put("nextBefore", page.nextBeforeVersion())
                .put("next", "/aggregates/" + PathCodec.encode(aggregateId) + "/snapshots?limit=" + limit + "&before="
                    + page.nextBeforeVersion());
        }
        return ApiResponse.json(200, json);
    }

    ApiResponse atVersion(ApiRequest request) {
        String aggregateId = AggregateIds.require(request.pathParam("aggregateId"));
        long version = longParam("version", request.pathParam("version"), 0, 1, Long.MAX_VALUE);
        if (store.isEmpty()) {
            return notConfigured();
        }
        try {
            return store.get().at(aggregateId, version)
                .map(s -> ApiResponse.json(200, toJson(s)))
                .orElseGet(() -> ApiResponse.problem(Problem.SNAPSHOT_NOT_FOUND,
                    "no snapshot of '" + aggregateId + "' at version " + version + " is kept"));
        } catch (CorruptSnapshotException e) {
            return corrupt(aggregateId, e);
        } catch (RuntimeException e) {
            return storeFailed(e);
        }
    }

    /** Without a snapshot store: 503, without Retry-After (it will not come by waiting). */
    static ApiResponse notConfigured() {
        return ApiResponse.problem(Problem.SNAPSHOT_STORE_OFF, NOT_CONFIGURED);
    }

    private static ApiResponse corrupt(String aggregateId, CorruptSnapshotException e) {
        return ApiResponse.problem(Problem.CORRUPT_SNAPSHOT, "a stored snapshot of '" + aggregateId
            + "' fails its checks; the log has which, under the correlation id").logging(e.getMessage());
    }

    private ApiResponse storeFailed(RuntimeException e) {
        // the exception may name the store's endpoint: the log has it, under the correlation id
        return ApiResponse.unavailable(Problem.SNAPSHOT_STORE_FAILED, "the snapshot store did not answer; try again",
            retryAfterSeconds).logging(e.toString());
    }

    /** A whole number in {@code min..max}; {@code fallback} when absent. @throws ApiException (400) otherwise */
    static long longParam(String name, String value, long fallback, long min, long max) {
        if (value == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.invalidParameter(name, name + " must be a whole number, was '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw ApiException.invalidParameter(name, name + " must be " + (max == Long.MAX_VALUE ? "at least " + min
                : "between " + min + " and " + max) + ", was " + parsed);
        }
        return parsed;
    }

    static ObjectNode toJson(StoredSnapshot stored) {
        Snapshot s = stored.snapshot();
        ObjectNode json = Json.object()
            .put("aggregateId", s.getAggregateId())
            .put("aggregateType", s.getAggregateType())
            .put("version", s.getVersion())
            .put("lastEventId", s.getLastEventId())
            .put("lastEventTimestamp", s.getLastEventTimestamp().toString())
            .put("snapshotTimestamp", s.getSnapshotTimestamp().toString())
            .put("reason", s.getMetadata().getReason().name())
            .put("createdBy", s.getMetadata().getCreatedBy())
            .put("compression", s.getCompression().name())
            .put("storedBytes", s.getState().remaining())
            .put("checksum", s.getChecksum())
            .put("stateFormatVersion", s.getStateFormatVersion())
            .put("foldVersion", s.getFoldVersion());
        json.set("state", AvroJson.toJson(stored.state()));
        return json;
    }
}
