package io.snapshotter.query;

import io.snapshotter.registry.SchemaRegistryClient.Availability;
import io.snapshotter.sink.SnapshotRelay;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Interactive queries on the aggregates store, across instances. Kept apart from HTTP: this answers
 * found / on another instance / not found / not ready, and the HTTP layer maps that to 200 /
 * forwarded / 404 / 503.
 */
public interface AggregateQueries {

    /** Whether a lookup may answer "ask another instance". */
    enum Routing {
        /** A lookup from a client: the owner may be another instance. */
        MAY_FORWARD,
        /** A lookup forwarded here by another instance, or one whose owner is unreachable: answer from here or not at all. */
        LOCAL_ONLY
    }

    /** The current state of {@code aggregateId}, or where to find it. */
    AggregateLookup lookup(String aggregateId, Routing routing);

    /** Which instance to ask for which partitions, so that a listing covers every aggregate once. */
    AggregateListing.Placement placement();

    /**
     * A page of the aggregates in the active copies of {@code partitions} on this instance; not ready
     * when one of them is not active and queryable here.
     */
    AggregateListing list(AggregateListing.Query query, Set<Integer> partitions);

    /**
     * Whether this instance belongs in the Service: Kafka Streams has been RUNNING since it started,
     * and is RUNNING or REBALANCING (lookups go on during a rebalance, from standbys and the owners).
     * The components are reported, and named in the reason when they fail, without changing that.
     */
    Readiness readiness();

    /**
     * @param ready          whether lookups are answered
     * @param state          the Kafka Streams state
     * @param reason         why not, or what is ready, and which component fails
     * @param schemaRegistry whether the schema registry answers
     * @param snapshotWriter whether the snapshot store's writer runs; empty without one
     * @param streamThreads  this instance's stream threads; empty where there are none (fakes)
     * @param stateDirectory disk space of the state directory; empty where there is none (fakes)
     */
    record Readiness(boolean ready, String state, String reason, Availability schemaRegistry,
                     Optional<SnapshotRelay.Status> snapshotWriter, Optional<StreamThreads> streamThreads,
                     Optional<DiskSpace> stateDirectory) {

        /** Of a processor whose schema registry cannot fail (in memory), without a snapshot writer. */
        public Readiness(boolean ready, String state, String reason) {
            this(ready, state, reason, Availability.ALWAYS);
        }

        /** Of a processor without a snapshot writer. */
        public Readiness(boolean ready, String state, String reason, Availability schemaRegistry) {
            this(ready, state, reason, schemaRegistry, Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * @param alive      stream threads running (not dead)
     * @param configured {@code num.stream.threads}
     */
    record StreamThreads(int alive, int configured) {
    }

    /**
     * @param path       the state directory
     * @param freeBytes  usable space left on its file system
     * @param totalBytes the file system's size
     */
    record DiskSpace(Path path, long freeBytes, long totalBytes) {
    }
}
