package io.snapshotter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.admin.SnapshotRequests;
import io.snapshotter.admin.SnapshotRequests.SnapshotRequestFailedException;
import io.snapshotter.snapshot.SnapshotRetention;
import io.snapshotter.snapshot.SnapshotRetention.SweepResult;
import io.snapshotter.topology.SnapshotRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The admin endpoints, behind the bearer token, every call written to the {@link AuditLog}:
 * <ul>
 *   <li>{@code POST /admin/snapshots/{aggregateId}} (optional body {@code {"note": "why"}}): asks for
 *       a MANUAL snapshot. The request goes to the snapshot requests topic and the owning instance's
 *       fold takes the snapshot in line with the events; the call answers 202 once the request is
 *       written, without waiting for the snapshot. 404 for an unknown aggregate, 409 when nothing
 *       was folded since its last snapshot (that version is snapshotted already).
 *   <li>{@code POST /admin/snapshots/cleanup}: runs the retention sweep now and answers its counts;
 *       409 while another sweep runs.
 * </ul>
 */
final class AdminRoutes {

    static final String SNAPSHOT = "/admin/snapshots/{aggregateId}";
    static final String CLEANUP = "/admin/snapshots/cleanup";
    static final int MAX_NOTE_LENGTH = 1_000;
    static final int MAX_REQUEST_BY_LENGTH = 100;

    private final AdminAuth auth;
    private final String principal;
    private final AuditLog audit;
    private final Clock clock;
    private final AggregateRoutes aggregates;
    private final SnapshotRequests requests;
    private final Optional<SnapshotRetention> retention;
    private final int retryAfterSeconds;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    AdminRoutes(AdminAuth auth, String principal, AuditLog audit, Clock clock, AggregateRoutes aggregates,
                SnapshotRequests requests, Optional<SnapshotRetention> retention, int retryAfterSeconds) {
        this.auth = auth;
        this.principal = principal;
        this.audit = audit;
        this.clock = clock;
        this.aggregates = aggregates;
        this.requests = requests;
        this.retention = retention;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    ApiResponse snapshot(ApiRequest request) {
        return audited(request, "snapshot.request", request.pathParam("aggregateId"), caller -> {
            String aggregateId = AggregateIds.require(request.pathParam("aggregateId"));
            String note = note(request.body());
            ApiResponse current = aggregates.current(aggregateId, false);
            if (current.status() != 200) {
                return current;
            }
            JsonNode aggregate = parse(current);
            long version = aggregate.path("version").asLong();
            if (aggregate.path("eventsSinceSnapshot").asLong() == 0) {
                return ApiResponse.json(409, Json.object().put("status", 409).put("error", "Conflict")
                    .put("reason", "nothing was folded since the snapshot at version " + version)
                    .put("aggregateId", aggregateId).put("version", version));
            }
            String requestedBy = caller.requestBy() == null ? principal : principal + " (" + caller.requestBy() + ")";
            SnapshotRequest snapshotRequest = new SnapshotRequest(UUID.randomUUID().toString(), requestedBy, note,
                clock.millis());
            try {
                requests.submit(aggregateId, snapshotRequest);
            } catch (SnapshotRequestFailedException e) {
                return ApiResponse.unavailable("the snapshot request was not written: " + e.getMessage(),
                    retryAfterSeconds);
            }
            return ApiResponse.json(202, Json.object()
                .put("status", "accepted")
                .put("requestId", snapshotRequest.requestId())
                .put("aggregateId", aggregateId)
                .put("version", version)
                .put("requestedBy", requestedBy)
                .put("note", note));
        });
    }

    ApiResponse cleanup(ApiRequest request) {
        return audited(request, "snapshots.cleanup", null, caller -> {
            if (retention.isEmpty()) {
                return ApiResponse.error(503, SnapshotRoutes.NOT_CONFIGURED);
            }
            if (!sweeping.compareAndSet(false, true)) {
                return ApiResponse.error(409, "a retention sweep is running already");
            }
            try {
                long started = System.nanoTime();
                SweepResult result = retention.get().sweep();
                return ApiResponse.json(200, Json.object()
                    .put("snapshotsScanned", result.snapshotsScanned())
                    .put("aggregatesPruned", result.aggregatesPruned())
                    .put("snapshotsDeleted", result.snapshotsDeleted())
                    .put("tookMs", (System.nanoTime() - started) / 1_000_000));
            } catch (RuntimeException e) {
                return ApiResponse.unavailable("the retention sweep failed: " + e.getMessage(), retryAfterSeconds);
            } finally {
                sweeping.set(false);
            }
        });
    }

    /** Checks the token, runs {@code action} and writes the call, whatever its outcome, to the audit log. */
    private ApiResponse audited(ApiRequest request, String action, String target,
                                Function<AuditLog.Caller, ApiResponse> call) {
        String requestBy = requestBy(request.header(ApiHeaders.REQUEST_BY));
        Optional<ApiResponse> denied = auth.check(request.header("Authorization"));
        AuditLog.Caller caller = new AuditLog.Caller(denied.isPresent() ? null : principal, requestBy,
            request.remoteAddress());
        ApiResponse response;
        try {
            response = denied.orElseGet(() -> call.apply(caller));
        } catch (ApiException e) {
            response = e.toResponse();
        } catch (RuntimeException e) {
            audit.record(caller, action, target, 500, e.toString());
            throw e;
        }
        audit.record(caller, action, target, response.status(), detail(response));
        return response;
    }

    private static String note(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (IOException e) {
            throw new ApiException(400, "the body is not JSON: "
                + (e instanceof JsonProcessingException syntax ? syntax.getOriginalMessage() : e.getMessage()));
        }
        if (!json.isObject()) {
            throw new ApiException(400, "the body must be a JSON object like {\"note\": \"why\"}");
        }
        JsonNode note = json.get("note");
        if (note == null || note.isNull()) {
            return null;
        }
        if (!note.isTextual() || note.asText().length() > MAX_NOTE_LENGTH) {
            throw new ApiException(400, "note must be text of at most " + MAX_NOTE_LENGTH + " characters");
        }
        return note.asText();
    }

    /** The caller's own name, cut to size and without control characters (it goes into logs). */
    private static String requestBy(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String clean = header.codePoints().filter(c -> !Character.isISOControl(c))
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip();
        return clean.length() > MAX_REQUEST_BY_LENGTH ? clean.substring(0, MAX_REQUEST_BY_LENGTH) : clean;
    }

    private static JsonNode parse(ApiResponse response) {
        try {
            return Json.parse(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("the aggregate's answer is not JSON: " + e.getMessage(), e);
        }
    }

    /** The response's reason (errors) or its body (successes), for the audit log. */
    private static String detail(ApiResponse response) {
        try {
            JsonNode body = Json.parse(response.body());
            return body.has("reason") ? body.get("reason").asText() : body.toString();
        } catch (IOException e) {
            return "";
        }
    }
}
