package io.snapshotter.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.snapshotter.query.AggregateQueries;
import io.snapshotter.query.AggregateQueries.Readiness;
import io.snapshotter.registry.SchemaRegistryClient.Availability;

/**
 * {@code GET /health} (the process is up: always 200), {@code GET /ready} (200 once Kafka Streams has
 * been RUNNING, while it is RUNNING or REBALANCING; else 503; the body lists the components: stream
 * threads, state directory, schema registry, snapshot writer) and {@code GET /metrics} (Prometheus text
 * format).
 */
final class OpsRoutes {

    static final String HEALTH = "/health";
    static final String READY = "/ready";
    static final String METRICS = "/metrics";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final AggregateQueries queries;
    private final PrometheusMeterRegistry meters;
    private final int retryAfterSeconds;

    OpsRoutes(AggregateQueries queries, PrometheusMeterRegistry meters, int retryAfterSeconds) {
        this.queries = queries;
        this.meters = meters;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    ApiResponse health(ApiRequest request) {
        return ApiResponse.json(200, Json.object().put("status", "UP"));
    }

    ApiResponse ready(ApiRequest request) {
        Readiness readiness = queries.readiness();
        var body = Json.object()
            .put("status", readiness.ready() ? "READY" : "NOT_READY")
            .put("kafkaStreams", readiness.state())
            .put("reason", readiness.reason());
        readiness.streamThreads().ifPresent(threads -> body.putObject("streamThreads")
            .put("alive", threads.alive()).put("configured", threads.configured()));
        readiness.stateDirectory().ifPresent(disk -> body.putObject("stateDirectory")
            .put("path", disk.path().toString()).put("freeBytes", disk.freeBytes()).put("totalBytes", disk.totalBytes()));
        Availability registry = readiness.schemaRegistry();
        var schemaRegistry = body.putObject("schemaRegistry")
            .put("status", registry.available() ? "AVAILABLE" : "UNAVAILABLE")
            .put("since", registry.since().toString());
        if (registry.lastError() != null) {
            schemaRegistry.put("lastError", registry.lastError());
        }
        readiness.snapshotWriter().ifPresent(writer -> {
            var snapshotWriter = body.putObject("snapshotWriter")
                .put("status", writer.alive() ? "ALIVE" : "FAILING")
                .put("since", writer.since().toString());
            if (writer.lastError() != null) {
                snapshotWriter.put("lastError", writer.lastError()).put("failures", writer.failures());
            }
        });
        ApiResponse response = ApiResponse.json(readiness.ready() ? 200 : 503, body);
        return readiness.ready() ? response : response.withHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    ApiResponse metrics(ApiRequest request) {
        return ApiResponse.text(200, meters.scrape(), PROMETHEUS_TEXT);
    }
}
