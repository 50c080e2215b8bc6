package io.snapshotter.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.snapshotter.admin.SnapshotRequests;
import io.snapshotter.console.ConsoleSources;
import io.snapshotter.query.AggregateQueries;
import io.snapshotter.query.Instance;
import io.snapshotter.snapshot.SnapshotRetention;
import io.snapshotter.snapshot.SnapshotHistory;
import java.time.Clock;
import java.util.Optional;

/**
 * The processor's HTTP API, assembled from what it serves:
 *
 * <pre>
 * GET  /aggregates                                  aggregateIds of every instance, by type, paged (?type=&amp;limit=&amp;after=)
 * GET  /aggregates/{aggregateId}                     current state (here, or from the owning instance)
 * GET  /aggregates/{aggregateId}/snapshots           snapshot history, newest first (?limit=&amp;before=)
 * GET  /aggregates/{aggregateId}/snapshots/{version} one snapshot
 * POST /admin/snapshots/cleanup                      retention sweep, started (bearer token, audited)
 * GET  /admin/snapshots/cleanup                      the sweep's status       (bearer token, audited)
 * POST /admin/snapshots/{aggregateId}                MANUAL snapshot request  (bearer token, audited)
 * GET  /health, /ready, /metrics                     liveness, readiness, Prometheus text
 * GET  /, /console/{asset}, /console/status          the web console: page, script and style, its status JSON
 * GET  /openapi.yaml                                 this API's OpenAPI description
 * </pre>
 */
public final class HttpApi {

    /**
     * What the API serves from.
     *
     * @param self      this instance, as other instances reach it
     * @param queries   current state, across instances
     * @param snapshots the snapshot store; empty when none is configured (its endpoints answer 503)
     * @param retention the retention sweep; empty when none is configured
     * @param requests  where MANUAL snapshot requests go
     * @param console   what the web console shows beyond the API
     */
    public record Sources(Instance self, AggregateQueries queries, Optional<SnapshotHistory> snapshots,
                          Optional<SnapshotRetention> retention, SnapshotRequests requests,
                          PrometheusMeterRegistry meters, ConsoleSources console) {
    }

    private HttpApi() {
    }

    /** Starts serving the API on {@code server}. */
    public static void serve(ApiServer server, HttpSettings settings, Sources sources) {
        server.start(routes(settings, sources, Clock.systemUTC()));
    }

    static Routes routes(HttpSettings settings, Sources sources, Clock clock) {
        int retryAfter = settings.retryAfterSeconds();
        Forwarder forwarder = new Forwarder(sources.self(), settings.forwardConnectTimeout(), settings.forwardTimeout());
        AggregateRoutes aggregates = new AggregateRoutes(sources.queries(), forwarder, sources.self(), retryAfter);
        AggregateListRoutes list = new AggregateListRoutes(sources.queries(), forwarder, sources.self(), retryAfter);
        SnapshotRoutes snapshots = new SnapshotRoutes(sources.snapshots(), retryAfter);
        AdminRoutes admin = new AdminRoutes(new AdminAuth(settings.adminToken()), settings.adminPrincipal(),
            new AuditLog(clock), clock, aggregates, sources.requests(), sources.retention(), retryAfter);
        OpsRoutes ops = new OpsRoutes(sources.queries(), sources.meters(), retryAfter);
        ConsoleRoutes console = new ConsoleRoutes(sources.self(), sources.console(), clock);
        return new Routes()
            .get(AggregateListRoutes.LIST, list::list)
            .get(AggregateRoutes.CURRENT, aggregates::current)
            .get(SnapshotRoutes.HISTORY, snapshots::history)
            .get(SnapshotRoutes.AT_VERSION, snapshots::atVersion)
            .post(AdminRoutes.CLEANUP, admin::cleanup)
            .get(AdminRoutes.CLEANUP, admin::cleanupStatus)
            .post(AdminRoutes.SNAPSHOT, admin::snapshot)
            .probe(OpsRoutes.HEALTH, ops::health)
            .probe(OpsRoutes.READY, ops::ready)
            .probe(OpsRoutes.METRICS, ops::metrics)
            .get(ApiDescription.PATH, new ApiDescription()::serve)
            .get(ConsoleRoutes.PAGE, console::page)
            .get(ConsoleRoutes.STATUS, console::status)
            .get(ConsoleRoutes.ASSET, console::asset);
    }
}
