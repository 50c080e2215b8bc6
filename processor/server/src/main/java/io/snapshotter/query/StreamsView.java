package io.snapshotter.query;

import io.snapshotter.schema.store.AggregateRecord;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** What {@link InteractiveQueries} asks of Kafka Streams about the aggregates store; a seam for tests. */
interface StreamsView {

    /**
     * Where a key lives.
     *
     * @param partition the store partition (= event topic partition) holding it
     * @param active    the instance with the active copy
     */
    record KeyLocation(int partition, Instance active) {
    }

    KafkaStreams.State state();

    /** The key's partition and owner; empty while Kafka Streams does not know them (a rebalance under way). */
    Optional<KeyLocation> locate(String aggregateId);

    /** The key's record in the local active copy of {@code partition}, or null when absent. */
    AggregateRecord getFromActive(int partition, String aggregateId) throws InvalidStateStoreException;

    /**
     * The active copy of {@code partition} here, to iterate (each iterator closed after use).
     *
     * @throws InvalidStateStoreException when this instance has no queryable active copy of it
     */
    ReadOnlyKeyValueStore<String, AggregateRecord> activeStore(int partition) throws InvalidStateStoreException;

    /** The partitions of the store: those of the events topic. */
    int partitionCount();

    /**
     * The partitions of the active copies of the store on each instance, as this instance's metadata
     * has them; an instance without {@code application.server} is left out.
     */
    Map<Instance, Set<Integer>> activePartitions();

    /** The key's record in any local copy of {@code partition} (standby or restoring too), or null when absent. */
    AggregateRecord getFromAnyCopy(int partition, String aggregateId) throws InvalidStateStoreException;

    /** How many changelog records the local copy of {@code partition} is behind; empty when there is none here. */
    OptionalLong localLag(int partition);

    /** Whether Kafka Streams has been RUNNING since it started. */
    boolean reachedRunning();

    /** This instance's stream threads. */
    AggregateQueries.StreamThreads streamThreads();

    /** The disk space where the state directory is. */
    AggregateQueries.DiskSpace stateDirectory();
}
