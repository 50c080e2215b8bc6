package io.snapshotter.topology;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.registry.SubjectNameStrategy;
import io.snapshotter.snapshot.SnapshotFactory;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor's topology, built by {@link #buildTopology} for {@code main} and tests alike.
 *
 * <pre>
 * events-source ────────────┐
 *                           ├─► fold-events ──► snapshots-sink     (compacted, key = aggregateId)
 * snapshot-requests-source ─┘    │  stores:  └─► dead-letters-sink (original bytes + reason headers)
 *                                │  aggregates, snapshot-schedule (RocksDB, changelogged)
 * </pre>
 *
 * The snapshot requests topic is co-partitioned with the events topic (same partition count, keyed
 * by aggregateId), so both sources feed the same tasks and a MANUAL snapshot is taken by the stream
 * thread that folds the aggregate, never beside it.
 *
 * Every node and store is named, so the changelog topics keep their names when the topology grows.
 */
public final class SnapshotTopology {

    public static final String EVENTS_SOURCE = "events-source";
    public static final String SNAPSHOT_REQUESTS_SOURCE = "snapshot-requests-source";
    public static final String FOLD_PROCESSOR = "fold-events";
    public static final String SNAPSHOTS_SINK = "snapshots-sink";
    public static final String DEAD_LETTER_SINK = "dead-letters-sink";
    /** aggregateId → current state and bookkeeping ({@link AggregateRecord}). */
    public static final String AGGREGATES_STORE = "aggregates";
    /** (due time, aggregateId) → nothing: the aggregates whose pending events fall due by time. */
    public static final String SCHEDULE_STORE = "snapshot-schedule";
    /** aggregateId → nothing: the parked aggregates (the details are on their {@link AggregateRecord}). */
    public static final String PARKED_STORE = "parked-aggregates";
    /**
     * Bytes a record may take beyond the state (or the input record) it carries: keys, the store
     * record's or snapshot's other fields, dead-letter headers, batch framing.
     */
    public static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

    private SnapshotTopology() {
    }

    /** The key of {@value #SCHEDULE_STORE}: an aggregate due at {@code dueTime}, ordered by time. */
    public static Bytes scheduleKey(long dueTime, String aggregateId) {
        return FoldProcessor.scheduleKey(dueTime, aggregateId);
    }

    /** The topology with the folds found on the class path; its histograms go to a registry of its own. */
    public static Topology buildTopology(TopologyConfig config, SchemaRegistryClient registry) {
        return buildTopology(config, registry, FoldRegistry.fromClassPath(), new SimpleMeterRegistry());
    }

    /** The topology with {@code folds}; its histograms go to a registry of its own. */
    public static Topology buildTopology(TopologyConfig config, SchemaRegistryClient registry, FoldRegistry folds) {
        return buildTopology(config, registry, folds, new SimpleMeterRegistry());
    }

    /**
     * The topology with {@code folds}, recording its metrics ({@link FoldMetrics}: counts, snapshot
     * sizes, events per snapshot, punctuation time) in {@code meters}.
     */
    public static Topology buildTopology(TopologyConfig config, SchemaRegistryClient registry, FoldRegistry folds,
                                         MeterRegistry meters) {
        return buildTopology(config, registry, folds, meters, FoldListener.NONE);
    }

    /** As the topology above, telling {@code listener} each fold, snapshot and dead letter as it happens. */
    public static Topology buildTopology(TopologyConfig config, SchemaRegistryClient registry, FoldRegistry folds,
                                         MeterRegistry meters, FoldListener listener) {
        AvroWireCodec codec = new AvroWireCodec(registry);
        boolean autoRegister = config.registry().autoRegister();
        SnapshotFactory snapshots = new SnapshotFactory(config.applicationId(), config.compressSnapshots(),
            config.getInt(TopologyConfig.SNAPSHOT_COMPRESSION_MIN_BYTES));
        FoldSettings context = new FoldSettings(config, folds, codec, snapshots, meters, listener);

        // Kafka Streams' byte cache is off for it: the store caches aggregates as objects itself
        StoreBuilder<?> aggregates = AggregateStore.builder(Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(AGGREGATES_STORE), Serdes.String(),
                    new SpecificAvroSerde<>(codec, AggregateRecord.class, SubjectNameStrategy.RECORD_NAME, false,
                        autoRegister))
                // a state up to snapshot.max.bytes fits its changelog (the broker's default is 1 MiB)
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    Integer.toString(config.maxStateRecordBytes()))),
            new AggregateStore.Budget(config.aggregatesCacheMaxBytes()));
        StoreBuilder<?> parked = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PARKED_STORE),
                Serdes.String(), Serdes.ByteArray())
            .withCachingDisabled();
        StoreBuilder<?> schedule = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SCHEDULE_STORE),
                Serdes.Bytes(), Serdes.ByteArray())
            .withCachingDisabled();
        ProcessorSupplier<byte[], byte[], Object, Object> fold = new ProcessorSupplier<>() {
            @Override
            public Processor<byte[], byte[], Object, Object> get() {
                return new FoldProcessor(context);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(aggregates, schedule, parked);
            }
        };
        SpecificAvroSerde<Snapshot> snapshotSerde = new SpecificAvroSerde<>(codec, Snapshot.class,
            config.registry().subjectNameStrategy(), false, autoRegister);

        Topology topology = new Topology();
        topology.addSource(EVENTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.eventsTopic());
        // a request carries its own wall-clock timestamp: read as 0, it never moves the task's stream time
        topology.addSource((org.apache.kafka.streams.AutoOffsetReset) null, SNAPSHOT_REQUESTS_SOURCE,
            (record, partitionTime) -> 0L, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
            context.snapshotRequestsTopic());
        topology.addProcessor(FOLD_PROCESSOR, fold, EVENTS_SOURCE, SNAPSHOT_REQUESTS_SOURCE);
        topology.addSink(SNAPSHOTS_SINK, config.snapshotsTopic(), new StringSerializer(), snapshotSerde.serializer(),
            FOLD_PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, config.deadLetterTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
            FOLD_PROCESSOR);
        return topology;
    }
}
