package io.snapshotter.http;

import java.net.URI;

/**
 * Every kind of error the API answers, as an RFC 9457 problem type: a stable URI under {@value #BASE},
 * a status and a title. The {@code type} is what a client tells problems apart by; the title is
 * the same for every problem of a type, the detail (in the response) says what happened this time.
 * A URI once published keeps its meaning: a new kind of problem gets a new constant.
 */
enum Problem {

    INVALID_AGGREGATE_ID(400, "invalid-aggregate-id", "The aggregateId is not valid"),
    INVALID_PARAMETER(400, "invalid-parameter", "A parameter is not valid"),
    INVALID_BODY(400, "invalid-body", "The request body is not valid"),
    ADMIN_TOKEN_MISSING(401, "admin-token-missing", "An admin call needs a bearer token"),
    ADMIN_TOKEN_WRONG(403, "admin-token-wrong", "The bearer token is not the admin token"),
    ADMIN_OFF(404, "admin-off", "The admin endpoints are off"),
    AGGREGATE_NOT_FOUND(404, "aggregate-not-found", "No such aggregate"),
    SNAPSHOT_NOT_FOUND(404, "snapshot-not-found", "No such snapshot"),
    ENDPOINT_NOT_FOUND(404, "endpoint-not-found", "No such endpoint"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    NOTHING_TO_SNAPSHOT(409, "nothing-to-snapshot", "Nothing was folded since the last snapshot"),
    SWEEP_RUNNING(409, "sweep-running", "A retention sweep is running already"),
    BODY_TOO_LARGE(413, "body-too-large", "The request body is too large"),
    INTERNAL_ERROR(500, "internal-error", "Internal error"),
    CORRUPT_SNAPSHOT(500, "corrupt-snapshot", "A stored snapshot is corrupt"),
    STORE_NOT_READY(503, "store-not-ready", "The aggregates store cannot answer now"),
    INSTANCE_UNAVAILABLE(503, "instance-unavailable", "Another instance of the processor did not answer"),
    SNAPSHOT_STORE_OFF(503, "snapshot-store-off", "No snapshot store is configured"),
    SNAPSHOT_STORE_FAILED(503, "snapshot-store-failed", "The snapshot store failed"),
    SNAPSHOT_REQUEST_FAILED(503, "snapshot-request-failed", "The snapshot request was not written"),
    OVERLOADED(503, "overloaded", "Too many requests waiting");

    /** Where every problem type of this API lives. */
    static final String BASE = "https://snapshotter.io/problems/";
    static final String CONTENT_TYPE = "application/problem+json";

    private final int status;
    private final URI type;
    private final String title;

    Problem(int status, String slug, String title) {
        this.status = status;
        this.type = URI.create(BASE + slug);
        this.title = title;
    }

    int status() {
        return status;
    }

    URI type() {
        return type;
    }

    String title() {
        return title;
    }
}
