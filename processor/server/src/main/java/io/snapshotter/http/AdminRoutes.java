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
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The admin endpoints, behind the bearer token, every call written to the {@link AuditLog}:
 * <ul>
 *   <li>{@code POST /admin/snapshots/{aggregateId}} (optional body {@code {"note": "why"}}): asks for
 *       a MANUAL snapshot. The request goes to the snapshot requests topic and the owning instance's
 *       fold takes the snapshot in line with the events; the call answers 202 once the request is
 *       written, without waiting for the snapshot. 404 for an unknown aggregate, 409 when nothing
 *       was folded since its last snapshot (that version is snapshotted already).
 *   <li>{@code POST /admin/snapshots/cleanup}: starts the retention sweep in the background (it pages
 *       through the table at its configured rate, which can take a while) and answers 202; 409 while
 *       another sweep runs. {@code GET /admin/snapshots/cleanup}: the last or running sweep, with
 *       its counts once done.
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
    private final AtomicReference<Sweep> sweep = new AtomicReference<>(Sweep.IDLE);

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
                return ApiResponse.problem(Problem.NOTHING_TO_SNAPSHOT,
                        "nothing was folded since the snapshot at version " + version)
                    .withExtension("aggregateId", aggregateId).withExtension("version", version);
            }
            String requestedBy = caller.requestBy() == null ? principal : principal + " (" + caller.requestBy() + ")";
            SnapshotRequest snapshotRequest = new SnapshotRequest(UUID.randomUUID().toString(), requestedBy, note,
                clock.millis());
            try {
                requests.submit(aggregateId, snapshotRequest);
            } catch (SnapshotRequestFailedException e) {
                return ApiResponse.unavailable(Problem.SNAPSHOT_REQUEST_FAILED,
                    "the snapshot request of '" + aggregateId + "' was not written; try again", retryAfterSeconds)
                    .logging(e.toString());
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

    /** Starts the retention sweep in the background: 202, or 409 while one runs. */
    ApiResponse cleanup(ApiRequest request) {
        return audited(request, "snapshots.cleanup", null, caller -> {
            if (retention.isEmpty()) {
                return SnapshotRoutes.notConfigured();
            }
            Sweep started = new Sweep("running", clock.instant(), null, null, null);
            Sweep before = sweep.get();
            if (before.status().equals("running") || !sweep.compareAndSet(before, started)) {
                return ApiResponse.problem(Problem.SWEEP_RUNNING, "a retention sweep is running already; its status is at "
                    + CLEANUP).withExtension("sweep", sweep.get().toJson());
            }
            Thread worker = new Thread(() -> runSweep(started), "retention-sweep");
            worker.setDaemon(true);
            worker.start();
            return ApiResponse.json(202, started.toJson().put("statusUrl", CLEANUP));
        });
    }

    /** The last (or the running) retention sweep: status, times, counts or error. */
    ApiResponse cleanupStatus(ApiRequest request) {
        return audited(request, "snapshots.cleanup.status", null, caller -> retention.isEmpty()
            ? SnapshotRoutes.notConfigured()
            : ApiResponse.json(200, sweep.get().toJson()));
    }

    private void runSweep(Sweep started) {
        try {
            SweepResult result = retention.get().sweep();
            sweep.set(new Sweep("done", started.startedAt(), clock.instant(), result, null));
        } catch (RuntimeException e) {
            sweep.set(new Sweep("failed", started.startedAt(), clock.instant(), null, e.getMessage()));
        }
    }

    /** One retention sweep as the status endpoint shows it; {@code idle} before the first. */
    private record Sweep(String status, Instant startedAt, Instant finishedAt, SweepResult result, String error) {

        static final Sweep IDLE = new Sweep("idle", null, null, null, null);

        com.fasterxml.jackson.databind.node.ObjectNode toJson() {
            var json = Json.object().put("status", status);
            if (startedAt != null) {
                json.put("startedAt", startedAt.toString());
            }
            if (finishedAt != null) {
                json.put("finishedAt", finishedAt.toString())
                    .put("tookMs", finishedAt.toEpochMilli() - startedAt.toEpochMilli());
            }
            if (result != null) {
                json.put("snapshotsScanned", result.snapshotsScanned())
                    .put("aggregatesPruned", result.aggregatesPruned())
                    .put("snapshotsDeleted", result.snapshotsDeleted());
            }
            if (error != null) {
                json.put("error", error);
            }
            return json;
        }
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
            throw new ApiException(Problem.INVALID_BODY, "the body is not JSON: "
                + (e instanceof JsonProcessingException syntax ? syntax.getOriginalMessage() : e.getMessage()));
        }
        if (!json.isObject()) {
            throw new ApiException(Problem.INVALID_BODY, "the body must be a JSON object like {\"note\": \"why\"}");
        }
        JsonNode note = json.get("note");
        if (note == null || note.isNull()) {
            return null;
        }
        if (!note.isTextual() || note.asText().length() > MAX_NOTE_LENGTH) {
            throw new ApiException(Problem.INVALID_BODY, "note must be text of at most " + MAX_NOTE_LENGTH + " characters");
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

    /** The problem's detail (errors) or the body (successes), for the audit log. */
    private static String detail(ApiResponse response) {
        if (response.problem() != null) {
            return response.problem().detail();
        }
        try {
            JsonNode body = Json.parse(response.body());
            return body.has("reason") ? body.get("reason").asText() : body.toString();
        } catch (IOException e) {
            return "";
        }
    }
}
