package io.snapshotter.query;

import io.snapshotter.query.AggregateLookup.Found;
import io.snapshotter.query.AggregateLookup.NotFound;
import io.snapshotter.query.AggregateLookup.NotReady;
import io.snapshotter.query.AggregateLookup.OnAnotherInstance;
import io.snapshotter.query.AggregateLookup.Replica;
import io.snapshotter.query.AggregateLookup.ServedFrom;
import io.snapshotter.query.AggregateListing.Entry;
import io.snapshotter.query.AggregateListing.NotPlaced;
import io.snapshotter.query.AggregateListing.Page;
import io.snapshotter.query.AggregateListing.Placed;
import io.snapshotter.query.AggregateListing.Placement;
import io.snapshotter.query.AggregateQueries.StreamThreads;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.registry.SchemaRegistryClient.Availability;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.schema.store.Parked;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.sink.SnapshotRelay;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@link AggregateQueries} on Kafka Streams' interactive queries. A key is answered from the local
 * active copy of its partition when this instance owns it; otherwise the owner is named (Kafka
 * Streams' key metadata, from {@code application.server}). When the active copy cannot answer (a
 * rebalance or restore under way) and standby answers are allowed, a standby or restoring copy here
 * answers if it is at most {@code maxLag} changelog records behind; otherwise the answer is "not
 * ready". Readiness reports the schema registry too (without it no event is folded and no new state
 * decoded) and the snapshot writer, but does not depend on them: an outage of either is shared by every
 * instance, and taking them all out of the Service would stop the lookups that still work.
 */
public final class InteractiveQueries implements AggregateQueries {

    /**
     * @param enabled whether a standby or restoring copy may answer for the active one
     * @param maxLag  how many changelog records that copy may be behind
     */
    public record StandbyReads(boolean enabled, long maxLag) {
    }

    private final StreamsView streams;
    private final Instance self;
    private final StandbyReads standbyReads;
    private final SchemaRegistryClient registry;
    private final Optional<Supplier<SnapshotRelay.Status>> snapshotWriter;
    private final AvroWireCodec codec;

    InteractiveQueries(StreamsView streams, Instance self, StandbyReads standbyReads, SchemaRegistryClient registry) {
        this(streams, self, standbyReads, registry, Optional.empty());
    }

    InteractiveQueries(StreamsView streams, Instance self, StandbyReads standbyReads, SchemaRegistryClient registry,
                       Optional<Supplier<SnapshotRelay.Status>> snapshotWriter) {
        this.streams = streams;
        this.self = self;
        this.standbyReads = standbyReads;
        this.registry = registry;
        this.snapshotWriter = snapshotWriter;
        this.codec = new AvroWireCodec(registry);
    }

    /**
     * @param lifecycle      what readiness asks beyond {@code streams}; {@code streams}' state listener
     *                       must pass its changes on to it
     * @param self           this instance, as in {@code application.server}
     * @param registry       the schema registry the processor writes the states with: decodes them, and
     *                       its availability is reported by readiness
     * @param snapshotWriter the status of the snapshot store's writer, when there is one: reported by readiness
     * @param partitions     the events topic's partitions, which are the store's: a listing covers them all
     */
    public static InteractiveQueries over(KafkaStreams streams, StreamsLifecycle lifecycle, Instance self,
                                          StandbyReads standbyReads, SchemaRegistryClient registry,
                                          Optional<Supplier<SnapshotRelay.Status>> snapshotWriter, int partitions) {
        return new InteractiveQueries(new KafkaStreamsView(streams, lifecycle, partitions), self, standbyReads, registry,
            snapshotWriter);
    }

    @Override
    public AggregateLookup lookup(String aggregateId, Routing routing) {
        KafkaStreams.State state = streams.state();
        if (!state.isRunningOrRebalancing()) {
            return new NotReady("Kafka Streams is " + state);
        }
        Optional<StreamsView.KeyLocation> location = streams.locate(aggregateId);
        if (location.isEmpty()) {
            return new NotReady("the owner of '" + aggregateId + "' is not known yet (Kafka Streams is " + state + ")");
        }
        int partition = location.get().partition();
        Instance owner = location.get().active();
        if (owner.equals(self)) {
            try {
                return answer(aggregateId, streams.getFromActive(partition, aggregateId), ServedFrom.ACTIVE);
            } catch (InvalidStateStoreException e) {
                return fromLocalCopy(aggregateId, partition, "the active copy of partition " + partition
                    + " is not queryable (" + e.getMessage() + ")");
            }
        }
        if (routing == Routing.MAY_FORWARD) {
            return new OnAnotherInstance(owner);
        }
        return fromLocalCopy(aggregateId, partition, "partition " + partition + " is owned by " + owner);
    }

    /**
     * Every partition must have exactly one active copy among the instances the metadata names: while a
     * rebalance leaves one without (or, seen from here, with two), a listing would miss or repeat
     * aggregates, so it is not placed.
     */
    @Override
    public Placement placement() {
        KafkaStreams.State state = streams.state();
        if (!state.isRunningOrRebalancing()) {
            return new NotPlaced("Kafka Streams is " + state);
        }
        Map<Integer, Instance> owners = new HashMap<>();
        Map<Instance, Set<Integer>> byInstance = new TreeMap<>(Comparator.comparing(Instance::toString));
        for (var held : streams.activePartitions().entrySet()) {
            for (int partition : held.getValue()) {
                Instance before = owners.putIfAbsent(partition, held.getKey());
                if (before != null) {
                    return new NotPlaced("partition " + partition + " is active on both " + before + " and "
                        + held.getKey() + " (Kafka Streams is " + state + ")");
                }
                byInstance.computeIfAbsent(held.getKey(), i -> new TreeSet<>()).add(partition);
            }
        }
        for (int partition = 0; partition < streams.partitionCount(); partition++) {
            if (!owners.containsKey(partition)) {
                return new NotPlaced("partition " + partition + " has no active copy on an instance with an HTTP "
                    + "address (Kafka Streams is " + state + ")");
            }
        }
        return new Placed(byInstance);
    }

    /**
     * Reads each partition's active copy through {@code range}/{@code all} and keeps the first
     * {@code limit + 1} matches in {@link AggregateListing#ID_ORDER}, whatever order the store iterates
     * in: {@code ReadOnlyKeyValueStore} does not promise one. That costs a scan of the keys after the
     * cursor in each partition, and every value is read to learn its type.
     */
    @Override
    public AggregateListing list(AggregateListing.Query query, Set<Integer> partitions) {
        KafkaStreams.State state = streams.state();
        if (!state.isRunningOrRebalancing()) {
            return new AggregateListing.NotReady("Kafka Streams is " + state);
        }
        TreeMap<String, Entry> first = new TreeMap<>(AggregateListing.ID_ORDER);
        for (int partition : partitions) {
            try {
                ReadOnlyKeyValueStore<String, AggregateRecord> store = streams.activeStore(partition);
                try (KeyValueIterator<String, AggregateRecord> records = query.after() == null ? store.all()
                        : store.range(query.after(), null)) {
                    while (records.hasNext()) {
                        KeyValue<String, AggregateRecord> record = records.next();
                        if (matches(query, record.key, record.value)) {
                            first.put(record.key, new Entry(record.key, record.value.getAggregateType(),
                                record.value.getVersion()));
                            if (first.size() > query.limit() + 1) {
                                first.pollLastEntry();
                            }
                        }
                    }
                }
            } catch (InvalidStateStoreException e) {
                return new AggregateListing.NotReady("the active copy of partition " + partition
                    + " is not queryable here (" + e.getMessage() + ")");
            }
        }
        boolean more = first.size() > query.limit();
        if (more) {
            first.pollLastEntry();
        }
        return new Page(List.copyOf(first.values()), more);
    }

    private static boolean matches(AggregateListing.Query query, String aggregateId, AggregateRecord record) {
        return record != null
            && (query.after() == null || AggregateListing.ID_ORDER.compare(aggregateId, query.after()) > 0)
            && (query.aggregateType() == null || query.aggregateType().equals(record.getAggregateType()));
    }

    @Override
    public Readiness readiness() {
        KafkaStreams.State state = streams.state();
        boolean ready = streams.reachedRunning() && state.isRunningOrRebalancing();
        List<String> notes = new ArrayList<>();
        notes.add("Kafka Streams is " + state + (streams.reachedRunning() ? "" : ", not yet RUNNING since the start"));
        StreamThreads threads = streams.streamThreads();
        if (threads.alive() < threads.configured()) {
            notes.add(threads.alive() + " of " + threads.configured() + " stream threads alive");
        }
        Availability schemaRegistry = registry.availability();
        if (!schemaRegistry.available()) {
            notes.add("schema registry unreachable since " + schemaRegistry.since() + ": " + schemaRegistry.lastError());
        }
        Optional<SnapshotRelay.Status> writer = snapshotWriter.map(Supplier::get);
        writer.filter(w -> !w.alive()).ifPresent(w -> notes.add("snapshot writer failing since " + w.since() + " ("
            + w.failures() + " in a row): " + w.lastError()));
        return new Readiness(ready, state.name(), String.join("; ", notes), schemaRegistry, writer, Optional.of(threads),
            Optional.of(streams.stateDirectory()));
    }

    /** The answer of a standby or restoring copy here, when allowed and fresh enough. */
    private AggregateLookup fromLocalCopy(String aggregateId, int partition, String whyNotActive) {
        if (!standbyReads.enabled()) {
            return new NotReady(whyNotActive + "; answers from standby copies are off");
        }
        OptionalLong lag = streams.localLag(partition);
        if (lag.isEmpty()) {
            return new NotReady(whyNotActive + "; this instance holds no copy of it");
        }
        if (lag.getAsLong() > standbyReads.maxLag()) {
            return new NotReady(whyNotActive + "; the copy here is " + lag.getAsLong() + " records behind, more than "
                + standbyReads.maxLag());
        }
        try {
            return answer(aggregateId, streams.getFromAnyCopy(partition, aggregateId),
                new ServedFrom(Replica.STANDBY, lag.getAsLong()));
        } catch (InvalidStateStoreException e) {
            return new NotReady(whyNotActive + "; the copy here is not queryable either (" + e.getMessage() + ")");
        }
    }

    private AggregateLookup answer(String aggregateId, AggregateRecord record, ServedFrom servedFrom) {
        if (record == null) {
            return new NotFound(servedFrom);
        }
        byte[] state = bytes(record.getState());
        Parked parked = record.getParked();
        return new Found(new AggregateView(
            aggregateId, record.getAggregateType(), record.getVersion(), record.getLastEventId(),
            Instant.ofEpochMilli(record.getLastEventTimestamp()), record.getEventsSinceSnapshot(),
            record.getLastSnapshotVersion(), state.length == 0 ? null : codec.decode(state, codec.writerSchemaOf(state)),
            parked == null ? null : new AggregateView.Parking(parked.getSequence(), parked.getEventId(),
                parked.getReason(), parked.getError(), Instant.ofEpochMilli(parked.getParkedAt()),
                parked.getSourceTopic() + "-" + parked.getSourcePartition() + "@" + parked.getSourceOffset(),
                parked.getEventsHeld())), servedFrom);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
