package io.snapshotter.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapshotter.query.AggregateLookup;
import io.snapshotter.query.AggregateLookup.Found;
import io.snapshotter.query.AggregateLookup.NotFound;
import io.snapshotter.query.AggregateLookup.NotReady;
import io.snapshotter.query.AggregateLookup.OnAnotherInstance;
import io.snapshotter.query.AggregateLookup.ServedFrom;
import io.snapshotter.query.AggregateQueries;
import io.snapshotter.query.AggregateQueries.Routing;
import io.snapshotter.query.AggregateView;
import io.snapshotter.query.Instance;
import java.io.IOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /aggregates/{aggregateId}}: the current state, from this instance's store when it owns
 * the key, else from the owner. A request forwarded here is never forwarded again. When the owner
 * cannot be reached, a fresh enough copy here may answer; otherwise 503 with Retry-After.
 */
final class AggregateRoutes {

    static final String CURRENT = "/aggregates/{aggregateId}";

    private static final Logger LOG = LoggerFactory.getLogger(AggregateRoutes.class);

    private final AggregateQueries queries;
    private final Forwarder forwarder;
    private final Instance self;
    private final int retryAfterSeconds;

    AggregateRoutes(AggregateQueries queries, Forwarder forwarder, Instance self, int retryAfterSeconds) {
        this.queries = queries;
        this.forwarder = forwarder;
        this.self = self;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    ApiResponse current(ApiRequest request) {
        String aggregateId = AggregateIds.require(request.pathParam("aggregateId"));
        return current(aggregateId, request.header(ApiHeaders.FORWARDED_BY) != null);
    }

    /** The answer for {@code aggregateId}: 200, 404, 503, or the owner's answer when it is elsewhere. */
    ApiResponse current(String aggregateId, boolean forwardedHere) {
        AggregateLookup lookup = queries.lookup(aggregateId, forwardedHere ? Routing.LOCAL_ONLY : Routing.MAY_FORWARD);
        if (lookup instanceof OnAnotherInstance elsewhere) {
            return fromOwner(aggregateId, elsewhere.owner());
        }
        return answer(aggregateId, lookup, null);
    }

    private ApiResponse fromOwner(String aggregateId, Instance owner) {
        try {
            return forwarder.get(owner, "/aggregates/" + PathCodec.encode(aggregateId));
        } catch (IOException e) {
            LOG.warn("Owner {} of '{}' did not answer: {}", owner, aggregateId, e.toString());
            return answer(aggregateId, queries.lookup(aggregateId, Routing.LOCAL_ONLY),
                "owner " + owner + " did not answer (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ownerUnavailable(aggregateId).logging("interrupted while asking owner " + owner);
        }
    }

    /**
     * @param ownerProblem why the owner on another instance did not answer (for the log only: it names
     *                     the owner); null when it was not asked
     */
    private ApiResponse answer(String aggregateId, AggregateLookup lookup, String ownerProblem) {
        if (lookup instanceof Found found) {
            return served(ApiResponse.json(200, toJson(found.aggregate())), found.servedFrom());
        }
        if (lookup instanceof NotFound notFound) {
            return served(ApiResponse.problem(Problem.AGGREGATE_NOT_FOUND, "no aggregate '" + aggregateId + "'"),
                notFound.servedFrom());
        }
        // the reasons name partitions and instances: the log has them, the caller a correlation id
        String reason = lookup instanceof NotReady notReady ? notReady.reason()
            : "owned by " + ((OnAnotherInstance) lookup).owner() + ", which is not asked again from here";
        if (ownerProblem != null) {
            return ownerUnavailable(aggregateId).logging(ownerProblem + "; " + reason);
        }
        return ApiResponse.unavailable(Problem.STORE_NOT_READY, "the store holding '" + aggregateId
            + "' cannot answer now (a rebalance or a restore is under way); try again", retryAfterSeconds).logging(reason);
    }

    private ApiResponse ownerUnavailable(String aggregateId) {
        return ApiResponse.unavailable(Problem.INSTANCE_UNAVAILABLE, "the instance that holds '" + aggregateId
            + "' did not answer, and no copy here may answer for it; try again", retryAfterSeconds);
    }

    private ApiResponse served(ApiResponse response, ServedFrom servedFrom) {
        return response.withHeader(ApiHeaders.SERVED_BY, self.toString())
            .withHeader(ApiHeaders.REPLICA, servedFrom.replica().name().toLowerCase(Locale.ROOT))
            .withHeader(ApiHeaders.LAG, Long.toString(servedFrom.offsetLag()));
    }

    static ObjectNode toJson(AggregateView aggregate) {
        ObjectNode json = Json.object()
            .put("aggregateId", aggregate.aggregateId())
            .put("aggregateType", aggregate.aggregateType())
            .put("version", aggregate.version())
            .put("lastEventId", aggregate.lastEventId())
            .put("lastEventTimestamp", aggregate.lastEventTimestamp().toString())
            .put("eventsSinceSnapshot", aggregate.eventsSinceSnapshot())
            .put("lastSnapshotVersion", aggregate.lastSnapshotVersion());
        if (aggregate.state() == null) {
            json.putNull("state");
        } else {
            json.set("state", AvroJson.toJson(aggregate.state()));
        }
        AggregateView.Parking parked = aggregate.parked();
        if (parked == null) {
            json.putNull("parked");
        } else {
            json.set("parked", Json.object()
                .put("sequence", parked.sequence())
                .put("eventId", parked.eventId())
                .put("reason", parked.reason())
                .put("error", parked.error())
                .put("parkedAt", parked.parkedAt().toString())
                .put("source", parked.source())
                .put("eventsHeld", parked.eventsHeld())
                .put("redrive", "dead-letters redrive --aggregate " + aggregate.aggregateId()));
        }
        return json;
    }
}
