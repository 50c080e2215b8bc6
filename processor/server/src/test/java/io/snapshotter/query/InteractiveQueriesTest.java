package io.snapshotter.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.domain.inventory.state.ItemStatus;
import io.snapshotter.query.AggregateLookup.Found;
import io.snapshotter.query.AggregateLookup.NotFound;
import io.snapshotter.query.AggregateLookup.NotReady;
import io.snapshotter.query.AggregateLookup.OnAnotherInstance;
import io.snapshotter.query.AggregateLookup.Replica;
import io.snapshotter.query.AggregateLookup.ServedFrom;
import io.snapshotter.query.AggregateQueries.Readiness;
import io.snapshotter.query.AggregateQueries.Routing;
import io.snapshotter.query.InteractiveQueries.StandbyReads;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.RegistryUnavailableException;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.schema.store.Parked;
import io.snapshotter.serde.AvroWireCodec;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;

class InteractiveQueriesTest {

    private static final Instance SELF = new Instance("10.0.0.1", 8080);
    private static final Instance OTHER = new Instance("10.0.0.2", 8080);
    private static final Instant AT = Instant.parse("2026-01-01T10:00:00Z");
    private static final InventoryItemState STATE = new InventoryItemState("item-1", "SKU-1", "Widget", "wh-1", 7L,
        10L, 3L, ItemStatus.ACTIVE, null, AT);

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroWireCodec codec = new AvroWireCodec(registry);
    private final FakeStreams streams = new FakeStreams();

    private InteractiveQueries queries(StandbyReads standbyReads) {
        return new InteractiveQueries(streams, SELF, standbyReads, registry);
    }

    private InteractiveQueries queries() {
        return queries(new StandbyReads(true, 100));
    }

    @Test
    void shouldAnswerFromTheActiveCopyWhenThisInstanceOwnsTheKey() {
        streams.owner = SELF;
        streams.active.put("item-1", record(5, 2));

        AggregateLookup lookup = queries().lookup("item-1", Routing.MAY_FORWARD);

        assertThat(lookup).isInstanceOf(Found.class);
        Found found = (Found) lookup;
        assertThat(found.servedFrom()).isEqualTo(ServedFrom.ACTIVE);
        AggregateView aggregate = found.aggregate();
        assertThat(aggregate.aggregateId()).isEqualTo("item-1");
        assertThat(aggregate.aggregateType()).isEqualTo("InventoryItem");
        assertThat(aggregate.version()).isEqualTo(5);
        assertThat(aggregate.lastEventId()).isEqualTo("event-5");
        assertThat(aggregate.lastEventTimestamp()).isEqualTo(AT);
        assertThat(aggregate.eventsSinceSnapshot()).isEqualTo(2);
        assertThat(aggregate.lastSnapshotVersion()).isEqualTo(3);
        assertThat(aggregate.state()).isEqualTo(STATE);
    }

    @Test
    void shouldAnswerNotFoundWhenTheOwnedStoreDoesNotHaveTheKey() {
        streams.owner = SELF;

        assertThat(queries().lookup("item-1", Routing.MAY_FORWARD)).isEqualTo(new NotFound(ServedFrom.ACTIVE));
    }

    @Test
    void shouldNameTheOwnerWhenAnotherInstanceOwnsTheKey() {
        streams.owner = OTHER;
        streams.copy.put("item-1", record(5, 2));
        streams.lag = OptionalLong.of(0);

        assertThat(queries().lookup("item-1", Routing.MAY_FORWARD)).isEqualTo(new OnAnotherInstance(OTHER));
    }

    @Test
    void shouldAnswerFromAFreshStandbyWhileTheActiveCopyIsNotQueryable() {
        streams.owner = SELF;
        streams.activeQueryable = false;
        streams.copy.put("item-1", record(4, 1));
        streams.lag = OptionalLong.of(5);

        AggregateLookup lookup = queries().lookup("item-1", Routing.MAY_FORWARD);

        assertThat(lookup).isInstanceOf(Found.class);
        assertThat(((Found) lookup).servedFrom()).isEqualTo(new ServedFrom(Replica.STANDBY, 5));
        assertThat(((Found) lookup).aggregate().version()).isEqualTo(4);
    }

    @Test
    void shouldNotAnswerFromAStandbyFurtherBehindThanTheMaxLag() {
        streams.owner = SELF;
        streams.activeQueryable = false;
        streams.copy.put("item-1", record(4, 1));
        streams.lag = OptionalLong.of(101);

        AggregateLookup lookup = queries().lookup("item-1", Routing.MAY_FORWARD);

        assertThat(lookup).isInstanceOf(NotReady.class);
        assertThat(((NotReady) lookup).reason()).contains("101 records behind");
    }

    @Test
    void shouldNotAnswerFromAStandbyWhenStandbyReadsAreOff() {
        streams.owner = SELF;
        streams.activeQueryable = false;
        streams.copy.put("item-1", record(4, 1));
        streams.lag = OptionalLong.of(0);

        AggregateLookup lookup = queries(new StandbyReads(false, 100)).lookup("item-1", Routing.MAY_FORWARD);

        assertThat(lookup).isInstanceOf(NotReady.class);
        assertThat(((NotReady) lookup).reason()).contains("standby copies are off");
    }

    @Test
    void shouldNotAnswerWhenNoLocalCopyCanStandInForTheActive() {
        streams.owner = SELF;
        streams.activeQueryable = false;

        AggregateLookup lookup = queries().lookup("item-1", Routing.MAY_FORWARD);

        assertThat(lookup).isInstanceOf(NotReady.class);
        assertThat(((NotReady) lookup).reason()).contains("no copy");
    }

    @Test
    void shouldAnswerALocalOnlyLookupOfAnotherInstancesKeyFromAFreshLocalCopy() {
        streams.owner = OTHER;
        streams.copy.put("item-1", record(4, 1));
        streams.lag = OptionalLong.of(0);

        AggregateLookup lookup = queries().lookup("item-1", Routing.LOCAL_ONLY);

        assertThat(lookup).isInstanceOf(Found.class);
        assertThat(((Found) lookup).servedFrom().replica()).isEqualTo(Replica.STANDBY);
    }

    @Test
    void shouldNotAnswerALocalOnlyLookupOfAnotherInstancesKeyWithoutALocalCopy() {
        streams.owner = OTHER;

        AggregateLookup lookup = queries().lookup("item-1", Routing.LOCAL_ONLY);

        assertThat(lookup).isInstanceOf(NotReady.class);
        assertThat(((NotReady) lookup).reason()).contains("owned by " + OTHER);
    }

    @Test
    void shouldNotAnswerWhileKafkaStreamsIsNotRunning() {
        streams.state = KafkaStreams.State.PENDING_SHUTDOWN;
        streams.owner = SELF;
        streams.active.put("item-1", record(5, 2));

        AggregateLookup lookup = queries().lookup("item-1", Routing.MAY_FORWARD);

        assertThat(lookup).isEqualTo(new NotReady("Kafka Streams is PENDING_SHUTDOWN"));
    }

    @Test
    void shouldNotAnswerWhileTheKeysOwnerIsUnknown() {
        streams.state = KafkaStreams.State.REBALANCING;
        streams.owner = null;

        AggregateLookup lookup = queries().lookup("item-1", Routing.MAY_FORWARD);

        assertThat(lookup).isInstanceOf(NotReady.class);
        assertThat(((NotReady) lookup).reason()).contains("not known yet");
    }

    @Test
    void shouldBeReadyOnceRunningAndThenWhileRunningOrRebalancing() {
        streams.reachedRunning = false;
        streams.state = KafkaStreams.State.REBALANCING;
        Readiness firstRestore = queries().readiness();
        streams.reachedRunning = true;
        streams.state = KafkaStreams.State.RUNNING;
        Readiness running = queries().readiness();
        streams.state = KafkaStreams.State.REBALANCING;
        Readiness rebalancing = queries().readiness();
        streams.state = KafkaStreams.State.PENDING_SHUTDOWN;
        Readiness stopping = queries().readiness();
        streams.state = KafkaStreams.State.ERROR;
        Readiness failed = queries().readiness();

        assertThat(firstRestore.ready()).isFalse();
        assertThat(firstRestore.reason()).isEqualTo("Kafka Streams is REBALANCING, not yet RUNNING since the start");
        assertThat(running.ready()).isTrue();
        assertThat(running.reason()).isEqualTo("Kafka Streams is RUNNING");
        assertThat(rebalancing.ready()).isTrue();
        assertThat(stopping.ready()).isFalse();
        assertThat(failed.ready()).isFalse();
    }

    @Test
    void shouldReportStreamThreadsAndTheStateDirectoryNamingDeadThreads() {
        streams.threads = new AggregateQueries.StreamThreads(1, 2);

        Readiness readiness = queries().readiness();

        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.reason()).isEqualTo("Kafka Streams is RUNNING; 1 of 2 stream threads alive");
        assertThat(readiness.streamThreads()).hasValue(new AggregateQueries.StreamThreads(1, 2));
        assertThat(readiness.stateDirectory()).hasValue(streams.disk);
    }

    @Test
    void shouldStayReadyNamingTheSchemaRegistryWhileItIsUnreachable() throws Exception {
        String url;
        try (ServerSocket socket = new ServerSocket(0)) {
            url = "http://127.0.0.1:" + socket.getLocalPort();
        }
        RestSchemaRegistryClient unreachable = new RestSchemaRegistryClient(new RestSchemaRegistryClient.Settings(
            URI.create(url), Optional.empty(), Optional.empty(), Duration.ofSeconds(1), 1, Duration.ofMillis(1)));
        InteractiveQueries queries = new InteractiveQueries(streams, SELF, new StandbyReads(true, 100), unreachable);
        assertThat(queries.readiness().reason()).doesNotContain("schema registry");

        assertThatThrownBy(unreachable::check).isInstanceOf(RegistryUnavailableException.class);
        Readiness readiness = queries.readiness();

        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.schemaRegistry()).isEqualTo(unreachable.availability());
        assertThat(readiness.reason()).isEqualTo("Kafka Streams is RUNNING; schema registry unreachable since "
            + unreachable.availability().since() + ": " + unreachable.availability().lastError());
        assertThat(unreachable.availability().lastError()).startsWith("Schema registry at " + url + " unreachable");
    }

    @Test
    void shouldShowWhereAnAggregateIsParked() {
        streams.owner = SELF;
        AggregateRecord parked = record(5, 2);
        parked.setParked(new Parked(6L, "event-6", "FOLD_FAILED", "cannot ship 9, only 7 on hand",
            AT.plusSeconds(60).toEpochMilli(), "inventory-events", 3, 42L, 2L));
        streams.active.put("item-1", parked);

        AggregateView aggregate = ((Found) queries().lookup("item-1", Routing.MAY_FORWARD)).aggregate();

        assertThat(aggregate.state()).isEqualTo(STATE);
        assertThat(aggregate.parked()).isEqualTo(new AggregateView.Parking(6, "event-6", "FOLD_FAILED",
            "cannot ship 9, only 7 on hand", AT.plusSeconds(60), "inventory-events-3@42", 2));
    }

    @Test
    void shouldAnswerANewAggregateParkedBeforeItsFirstEventWithoutState() {
        streams.owner = SELF;
        AggregateRecord parked = record(0, 0);
        parked.setState(ByteBuffer.wrap(new byte[0]));
        parked.setParked(new Parked(1L, "event-1", "UNKNOWN_EVENT_TYPE", "not an event of InventoryItem",
            AT.toEpochMilli(), "inventory-events", 0, 7L, 0L));
        streams.active.put("item-9", parked);

        AggregateView aggregate = ((Found) queries().lookup("item-9", Routing.MAY_FORWARD)).aggregate();

        assertThat(aggregate.version()).isZero();
        assertThat(aggregate.state()).isNull();
        assertThat(aggregate.parked().sequence()).isEqualTo(1);
        assertThat(queries().lookup("item-1", Routing.MAY_FORWARD)).isInstanceOf(NotFound.class);
    }

    @Test
    void shouldListTheFirstMatchesAfterTheCursorInIdOrderWhateverOrderTheStoreIteratesIn() {
        // each partition's copy iterates newest-put first: not in key order
        streams.partitions.put(0, new ScrambledStore(Map.of("item-c", typed("InventoryItem", 3),
            "warehouse-1", typed("Warehouse", 1), "item-a", typed("InventoryItem", 1))));
        streams.partitions.put(1, new ScrambledStore(Map.of("item-d", typed("InventoryItem", 4),
            "item-b", typed("InventoryItem", 2), "item-\u00e9", typed("InventoryItem", 9), "item-e", typed("InventoryItem", 5))));

        AggregateListing firstTwo = queries().list(new AggregateListing.Query("InventoryItem", null, 2), Set.of(0, 1));
        AggregateListing afterB = queries().list(new AggregateListing.Query("InventoryItem", "item-b", 3), Set.of(0, 1));
        AggregateListing rest = queries().list(new AggregateListing.Query("InventoryItem", "item-e", 3), Set.of(0, 1));

        assertThat(firstTwo).isEqualTo(new AggregateListing.Page(List.of(
            new AggregateListing.Entry("item-a", "InventoryItem", 1), new AggregateListing.Entry("item-b", "InventoryItem", 2)),
            true));
        assertThat(afterB).isEqualTo(new AggregateListing.Page(List.of(
            new AggregateListing.Entry("item-c", "InventoryItem", 3), new AggregateListing.Entry("item-d", "InventoryItem", 4),
            new AggregateListing.Entry("item-e", "InventoryItem", 5)), true));
        assertThat(rest).isEqualTo(new AggregateListing.Page(List.of(
            new AggregateListing.Entry("item-\u00e9", "InventoryItem", 9)), false));
    }

    @Test
    void shouldListEveryTypeWithoutOne() {
        streams.partitions.put(0, new ScrambledStore(Map.of("item-a", typed("InventoryItem", 1),
            "warehouse-1", typed("Warehouse", 7))));

        AggregateListing all = queries().list(new AggregateListing.Query(null, null, 10), Set.of(0));

        assertThat(all).isEqualTo(new AggregateListing.Page(List.of(new AggregateListing.Entry("item-a", "InventoryItem", 1),
            new AggregateListing.Entry("warehouse-1", "Warehouse", 7)), false));
    }

    @Test
    void shouldNotListAPartitionWhoseActiveCopyIsNotHere() {
        streams.partitions.put(0, new ScrambledStore(Map.of("item-a", typed("InventoryItem", 1))));

        AggregateListing listing = queries().list(new AggregateListing.Query(null, null, 10), Set.of(0, 4));

        assertThat(listing).isInstanceOf(AggregateListing.NotReady.class);
        assertThat(((AggregateListing.NotReady) listing).reason()).contains("partition 4");
    }

    @Test
    void shouldPlaceEveryPartitionOnItsActiveInstance() {
        streams.partitionCount = 4;
        streams.held.put(SELF, Set.of(0, 2));
        streams.held.put(OTHER, Set.of(1, 3));

        assertThat(queries().placement()).isEqualTo(new AggregateListing.Placed(Map.of(SELF, Set.of(0, 2),
            OTHER, Set.of(1, 3))));
    }

    @Test
    void shouldNotPlaceWhileAPartitionHasNoActiveInstanceOrTwo() {
        streams.partitionCount = 4;
        streams.held.put(SELF, Set.of(0, 1));
        streams.held.put(OTHER, Set.of(2));
        AggregateListing.Placement missingTheLast = queries().placement();
        streams.held.put(OTHER, Set.of(1, 2, 3));
        AggregateListing.Placement twice = queries().placement();

        assertThat(missingTheLast).isEqualTo(new AggregateListing.NotPlaced(
            "partition 3 has no active copy on an instance with an HTTP address (Kafka Streams is RUNNING)"));
        assertThat(twice).isInstanceOf(AggregateListing.NotPlaced.class);
        assertThat(((AggregateListing.NotPlaced) twice).reason()).contains("partition 1 is active on both");
    }

    private static AggregateRecord typed(String aggregateType, long version) {
        return AggregateRecord.newBuilder()
            .setAggregateType(aggregateType)
            .setVersion(version)
            .setLastEventId("event-" + version)
            .setLastEventTimestamp(AT.toEpochMilli())
            .setEventsSinceSnapshot(0)
            .setLastSnapshotVersion(version)
            .setLastSnapshotTime(AT.toEpochMilli())
            .setSnapshotDueTime(Long.MAX_VALUE)
            .setState(ByteBuffer.allocate(0))
            .build();
    }

    private AggregateRecord record(long version, long eventsSinceSnapshot) {
        byte[] state = codec.encode(InventoryItemState.getClassSchema().getFullName(), STATE, true);
        return AggregateRecord.newBuilder()
            .setAggregateType("InventoryItem")
            .setVersion(version)
            .setLastEventId("event-" + version)
            .setLastEventTimestamp(AT.toEpochMilli())
            .setEventsSinceSnapshot(eventsSinceSnapshot)
            .setLastSnapshotVersion(version - eventsSinceSnapshot)
            .setLastSnapshotTime(AT.toEpochMilli())
            .setSnapshotDueTime(Long.MAX_VALUE)
            .setState(ByteBuffer.wrap(state))
            .build();
    }

    /** Kafka Streams as the queries see it: one partition, an owner, a local active and a local other copy. */
    /**
     * A store whose iterators go from the largest key down (the opposite of RocksDB's order); {@code range}
     * holds the keys from {@code from} on, compared as the UTF-8 bytes Kafka's stores compare.
     */
    private static final class ScrambledStore implements ReadOnlyKeyValueStore<String, AggregateRecord> {
        private final TreeMap<String, AggregateRecord> records = new TreeMap<>(AggregateListing.ID_ORDER);

        ScrambledStore(Map<String, AggregateRecord> records) {
            this.records.putAll(records);
        }

        @Override
        public AggregateRecord get(String key) {
            return records.get(key);
        }

        @Override
        public KeyValueIterator<String, AggregateRecord> range(String from, String to) {
            return iterator((from == null ? records : records.tailMap(from, true)).descendingMap());
        }

        @Override
        public KeyValueIterator<String, AggregateRecord> all() {
            return iterator(records.descendingMap());
        }

        @Override
        public long approximateNumEntries() {
            return records.size();
        }

        private static KeyValueIterator<String, AggregateRecord> iterator(Map<String, AggregateRecord> view) {
            Iterator<Map.Entry<String, AggregateRecord>> entries = List.copyOf(view.entrySet()).iterator();
            return new KeyValueIterator<>() {
                @Override
                public boolean hasNext() {
                    return entries.hasNext();
                }

                @Override
                public KeyValue<String, AggregateRecord> next() {
                    Map.Entry<String, AggregateRecord> entry = entries.next();
                    return KeyValue.pair(entry.getKey(), entry.getValue());
                }

                @Override
                public String peekNextKey() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static final class FakeStreams implements StreamsView {
        KafkaStreams.State state = KafkaStreams.State.RUNNING;
        Instance owner;
        final Map<String, AggregateRecord> active = new HashMap<>();
        boolean activeQueryable = true;
        final Map<String, AggregateRecord> copy = new HashMap<>();
        OptionalLong lag = OptionalLong.empty();
        boolean reachedRunning = true;
        AggregateQueries.StreamThreads threads = new AggregateQueries.StreamThreads(1, 1);
        final AggregateQueries.DiskSpace disk = new AggregateQueries.DiskSpace(Path.of("/var/lib/state"), 10, 100);
        final Map<Integer, ReadOnlyKeyValueStore<String, AggregateRecord>> partitions = new HashMap<>();
        int partitionCount = 6;
        final Map<Instance, Set<Integer>> held = new LinkedHashMap<>();

        @Override
        public ReadOnlyKeyValueStore<String, AggregateRecord> activeStore(int partition) {
            ReadOnlyKeyValueStore<String, AggregateRecord> store = partitions.get(partition);
            if (store == null) {
                throw new InvalidStateStoreException("The specified partition " + partition + " does not exist");
            }
            return store;
        }

        @Override
        public int partitionCount() {
            return partitionCount;
        }

        @Override
        public Map<Instance, Set<Integer>> activePartitions() {
            return held;
        }

        @Override
        public KafkaStreams.State state() {
            return state;
        }

        @Override
        public Optional<KeyLocation> locate(String aggregateId) {
            return Optional.ofNullable(owner).map(o -> new KeyLocation(3, o));
        }

        @Override
        public AggregateRecord getFromActive(int partition, String aggregateId) {
            if (!activeQueryable) {
                throw new InvalidStateStoreException("restoring");
            }
            return active.get(aggregateId);
        }

        @Override
        public AggregateRecord getFromAnyCopy(int partition, String aggregateId) {
            if (lag.isEmpty()) {
                throw new InvalidStateStoreException("no copy");
            }
            return copy.get(aggregateId);
        }

        @Override
        public OptionalLong localLag(int partition) {
            return lag;
        }

        @Override
        public boolean reachedRunning() {
            return reachedRunning;
        }

        @Override
        public AggregateQueries.StreamThreads streamThreads() {
            return threads;
        }

        @Override
        public AggregateQueries.DiskSpace stateDirectory() {
            return disk;
        }
    }
}
