package io.snapshotter.query;

import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.topology.SnapshotTopology;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** {@link StreamsView} over a running {@link KafkaStreams}. */
final class KafkaStreamsView implements StreamsView {

    private static final String STORE = SnapshotTopology.AGGREGATES_STORE;
    private static final Serializer<String> KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final StreamsLifecycle lifecycle;

    private final int partitionCount;

    KafkaStreamsView(KafkaStreams streams, StreamsLifecycle lifecycle, int partitionCount) {
        this.streams = streams;
        this.lifecycle = lifecycle;
        this.partitionCount = partitionCount;
    }

    @Override
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public Optional<KeyLocation> locate(String aggregateId) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(STORE, aggregateId, KEYS);
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)
                || metadata.activeHost().equals(HostInfo.unavailable())) {
            return Optional.empty();
        }
        HostInfo active = metadata.activeHost();
        return Optional.of(new KeyLocation(metadata.partition(), new Instance(active.host(), active.port())));
    }

    @Override
    public AggregateRecord getFromActive(int partition, String aggregateId) {
        return store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.<String, AggregateRecord>keyValueStore())
            .withPartition(partition)).get(aggregateId);
    }

    @Override
    public AggregateRecord getFromAnyCopy(int partition, String aggregateId) {
        return store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.<String, AggregateRecord>keyValueStore())
            .withPartition(partition).enableStaleStores()).get(aggregateId);
    }

    @Override
    public ReadOnlyKeyValueStore<String, AggregateRecord> activeStore(int partition) {
        return store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.<String, AggregateRecord>keyValueStore())
            .withPartition(partition));
    }

    @Override
    public int partitionCount() {
        return partitionCount;
    }

    /** The store's tasks are those of the events topic's partitions: a host's active input partitions name them. */
    @Override
    public Map<Instance, Set<Integer>> activePartitions() {
        Map<Instance, Set<Integer>> partitions = new HashMap<>();
        for (StreamsMetadata host : streams.streamsMetadataForStore(STORE)) {
            if (host.port() > 0) {
                partitions.put(new Instance(host.host(), host.port()), host.topicPartitions().stream()
                    .map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new)));
            }
        }
        return partitions;
    }

    /** Asks the broker for the changelog end offsets: only called when the active copy cannot answer. */
    @Override
    public OptionalLong localLag(int partition) {
        Map<Integer, LagInfo> lags = streams.allLocalStorePartitionLags().get(STORE);
        LagInfo lag = lags == null ? null : lags.get(partition);
        return lag == null ? OptionalLong.empty() : OptionalLong.of(lag.offsetLag());
    }

    @Override
    public boolean reachedRunning() {
        return lifecycle.reachedRunning();
    }

    /** Kafka Streams lists the threads that are not dead. */
    @Override
    public AggregateQueries.StreamThreads streamThreads() {
        return new AggregateQueries.StreamThreads(streams.metadataForLocalThreads().size(), lifecycle.configuredThreads());
    }

    @Override
    public AggregateQueries.DiskSpace stateDirectory() {
        File directory = lifecycle.stateDirectory().toFile();
        return new AggregateQueries.DiskSpace(lifecycle.stateDirectory(), directory.getUsableSpace(),
            directory.getTotalSpace());
    }

    private ReadOnlyKeyValueStore<String, AggregateRecord> store(
            StoreQueryParameters<ReadOnlyKeyValueStore<String, AggregateRecord>> parameters) {
        return streams.store(parameters);
    }
}
