package io.snapshotter.benchmarks;

import io.snapshotter.topology.TopologyConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.domain.inventory.state.ItemStatus;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.topology.SnapshotTopology;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code punctuation [--stores 10000,1000000] [--pending 1000,10000] [--repeat 3] [--history true]}:
 * the time of ONE wall-clock punctuation that finds P aggregates due among S in the store, for each
 * S x P, on the topology as {@code main} builds it under a {@link TopologyTestDriver} (real RocksDB
 * stores, the record cache, the default RocksDB memory budget).
 *
 * <p>The S aggregates are loaded as the fold leaves them once snapshotted and with nothing pending
 * (version 2, no events since the snapshot, no due time), written through the stores (cache,
 * changelog, RocksDB): folding them one by one through the driver costs about 1 ms an event, since
 * it commits and checkpoints after every record. With {@code --history} the schedule store also
 * gets what folding them would have left there: each aggregate's entry put, then deleted by its
 * snapshot (tombstones in RocksDB, below the due times a punctuation reads). Then each round sends
 * one event to P of them (folded by the topology, which indexes them as due T later), advances the
 * wall clock by T and reads the punctuation's own time from its timer (after one warm-up round)
 * ({@code snapshotter.punctuation}); the advance's time adds the commit that follows it.
 *
 * <p>The bar: the time grows with the pending aggregates, not with the store.
 */
final class PunctuationBenchmark {

    private static final Instant START = Instant.parse("2024-05-01T08:00:00Z");
    private static final long T = 60_000;
    private static final String APPLICATION_ID = "bench-punctuation";

    private PunctuationBenchmark() {
    }

    /** {@code punctuation [--stores N,...] [--pending N,...] [--repeat N] [--history true|false]} */
    @Command(name = "punctuation", sortOptions = false, sortSynopsis = false,
        description = "Time of the snapshot punctuation by store size and pending aggregates "
            + "(TopologyTestDriver, real RocksDB).")
    static final class Cli implements Callable<Integer> {
        @Mixin
        BenchMain.Help help;

        @Option(names = "--stores", paramLabel = "N", defaultValue = "10000,1000000", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Aggregates in the store, comma-separated, one harness each (default: ${DEFAULT-VALUE}).")
        List<Integer> stores;

        @Option(names = "--pending", paramLabel = "N", defaultValue = "1000,10000", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Aggregates due in each round, comma-separated (default: ${DEFAULT-VALUE}).")
        List<Integer> pending;

        @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Measured rounds of each size (default: ${DEFAULT-VALUE}).")
        int repeat;

        @Option(names = "--history", paramLabel = "true|false", defaultValue = "true", arity = "1",
            description = "Also load the schedule store as folding would have left it: each aggregate's entry put, "
                + "then deleted by its snapshot (default: ${DEFAULT-VALUE}).")
        boolean history;

        @Override
        public Integer call() throws Exception {
            run(stores, pending, repeat, history);
            return 0;
        }
    }

    static void run(List<Integer> stores, List<Integer> pendings, int repeat, boolean history) throws Exception {
        System.out.printf("punctuation: stores %s x pending %s, %d rounds each, schedule history %s, "
            + "RocksDB bounded by the default rocksdb.* budget%n", stores, pendings, repeat, history ? "on" : "off");

        Map<Integer, Map<Integer, List<Round>>> results = new LinkedHashMap<>();
        for (int store : stores) {
            try (Harness harness = new Harness(store, history)) {
                Round warmUp = harness.round(pendings.get(0));
                System.out.printf("  store %,9d  warm-up round (not counted): punctuation %.1f ms%n", store,
                    warmUp.punctuationMs);
                for (int pending : pendings) {
                    List<Round> rounds = new ArrayList<>();
                    for (int r = 0; r < repeat; r++) {
                        Round round = harness.round(pending);
                        rounds.add(round);
                        System.out.printf("  store %,9d  pending %,6d  round %d: punctuation %8.1f ms  "
                            + "advance+commit %8.1f ms  snapshots %,d%n", store, pending, r + 1,
                            round.punctuationMs, round.advanceMs, round.snapshots);
                    }
                    results.computeIfAbsent(store, s -> new LinkedHashMap<>()).put(pending, rounds);
                }
            }
        }
        print(results, stores, pendings);
    }

    private static void print(Map<Integer, Map<Integer, List<Round>>> results, List<Integer> stores,
                              List<Integer> pendings) {
        System.out.println();
        System.out.println("Time of one punctuation (median of the rounds; ms), by aggregates in the store and "
            + "aggregates due:");
        StringBuilder header = new StringBuilder(String.format("%-22s", "store \\ pending"));
        pendings.forEach(p -> header.append(String.format("%22s", String.format("%,d", p))));
        System.out.println(header);
        for (int store : stores) {
            StringBuilder row = new StringBuilder(String.format("%-22s", String.format("%,d", store)));
            for (int pending : pendings) {
                List<Round> rounds = results.get(store).get(pending);
                row.append(String.format("%22s", String.format("%.1f (%.1f/event µs)", median(rounds),
                    median(rounds) * 1000 / pending)));
            }
            System.out.println(row);
        }
        int smallStore = stores.get(0);
        int largeStore = stores.get(stores.size() - 1);
        boolean holds = true;
        for (int pending : pendings) {
            double small = median(results.get(smallStore).get(pending));
            double large = median(results.get(largeStore).get(pending));
            double ratio = large / small;
            boolean flat = large <= 2 * small + 5;
            holds &= flat;
            System.out.printf("pending %,d: store %,d -> %,d (x%.0f) changes the punctuation x%.2f%s%n", pending,
                smallStore, largeStore, (double) largeStore / smallStore, ratio, flat ? "" : "  <- grows with the store");
        }
        if (pendings.size() > 1) {
            int fewer = pendings.get(0);
            int more = pendings.get(pendings.size() - 1);
            for (int store : stores) {
                System.out.printf("store %,d: pending %,d -> %,d (x%.0f) changes the punctuation x%.2f%n", store, fewer,
                    more, (double) more / fewer, median(results.get(store).get(more)) / median(results.get(store).get(fewer)));
            }
        }
        System.out.println("Bar (grows with the pending aggregates, not with the store: at most x2 + 5 ms from the "
            + "smallest to the largest store): " + (holds ? "HOLDS" : "DOES NOT HOLD"));
    }

    private static double median(List<Round> rounds) {
        double[] times = rounds.stream().mapToDouble(r -> r.punctuationMs).sorted().toArray();
        return times.length % 2 == 1 ? times[times.length / 2]
            : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
    }

    private record Round(double punctuationMs, double advanceMs, long snapshots) {
    }

    /** A driver over the topology with S snapshotted aggregates loaded. */
    private static final class Harness implements AutoCloseable {

        private final int size;
        private final Path stateDir;
        private final TopologyTestDriver driver;
        private final MeterRegistry meters = new SimpleMeterRegistry();
        private final EventEncoder encoder;
        private final TestInputTopic<String, byte[]> events;
        private final TestOutputTopic<byte[], byte[]> snapshots;
        private final List<TestOutputTopic<byte[], byte[]>> otherOutputs = new ArrayList<>();
        private final long[] versions;
        private long now = START.toEpochMilli();
        private int cursor;

        Harness(int size, boolean history) throws IOException {
            this.size = size;
            Map<String, String> values = new HashMap<>();
            values.put("kafka.bootstrap.servers", "dummy:9092");
            values.put("kafka.application.id", APPLICATION_ID);
            values.put("schema.registry.url", "mock://" + APPLICATION_ID);
            values.put(TopologyConfig.SNAPSHOT_POLICY, "hybrid");
            values.put(TopologyConfig.SNAPSHOT_EVERY_EVENTS, "100");
            values.put(TopologyConfig.SNAPSHOT_EVERY_MS, String.valueOf(T));
            values.put(TopologyConfig.PUNCTUATION_MAX_SNAPSHOTS, "10000000");
            ProcessorConfig config = new ProcessorConfig(values);
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            AvroWireCodec codec = new AvroWireCodec(registry);
            encoder = new EventEncoder(codec, config.eventsTopic());
            stateDir = Files.createTempDirectory("bench-punctuation-");
            Properties props = config.streamsProperties();
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            driver = new TopologyTestDriver(SnapshotTopology.buildTopology(config.topology(), registry,
                new FoldRegistry(List.of(new InventoryItemFold())), meters), props, START);
            events = driver.createInputTopic(config.eventsTopic(), new StringSerializer(), new ByteArraySerializer());
            snapshots = driver.createOutputTopic(config.snapshotsTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
            for (String topic : List.of(config.deadLetterTopic(), APPLICATION_ID + "-" + SnapshotTopology.AGGREGATES_STORE
                    + "-changelog", APPLICATION_ID + "-" + SnapshotTopology.SCHEDULE_STORE + "-changelog")) {
                otherOutputs.add(driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
            }
            versions = new long[size];
            load(codec, history);
        }

        private void load(AvroWireCodec codec, boolean history) {
            long started = System.nanoTime();
            KeyValueStore<String, AggregateRecord> aggregates = driver.getKeyValueStore(SnapshotTopology.AGGREGATES_STORE);
            KeyValueStore<Bytes, byte[]> schedule = driver.getKeyValueStore(SnapshotTopology.SCHEDULE_STORE);
            for (int i = 0; i < size; i++) {
                String id = id(i);
                InventoryItemState state = InventoryItemState.newBuilder().setItemId(id)
                    .setSku(String.format("SKU-%07d", i)).setName("Item " + i).setWarehouseId("warehouse-" + i % 50)
                    .setQuantityOnHand(10).setTotalReceived(10).setTotalShipped(0).setStatus(ItemStatus.ACTIVE)
                    .setDiscontinuedReason(null).setLastUpdated(START).build();
                aggregates.put(id, AggregateRecord.newBuilder().setAggregateType(InventoryItemFold.AGGREGATE_TYPE)
                    .setVersion(2).setLastEventId(id + "#2").setLastEventTimestamp(now).setEventsSinceSnapshot(0)
                    .setLastSnapshotVersion(2).setLastSnapshotTime(now).setSnapshotDueTime(SnapshotPolicy.NEVER)
                    .setFoldVersion(1)
                    .setState(ByteBuffer.wrap(codec.encode(state.getSchema().getFullName(), state, true))).build());
                if (history) {
                    Bytes key = scheduleKey(now + T, id);
                    schedule.put(key, new byte[0]);
                    schedule.delete(key);
                }
                versions[i] = 2;
                if (i % 50_000 == 49_999) {
                    commitAndDrain();
                }
            }
            commitAndDrain();
            System.out.printf("store %,d: loaded in %.1f s%n", size, (System.nanoTime() - started) / 1e9);
        }

        /** Commits (through an advance by nothing: no punctuation is due) and drops the captured output. */
        private void commitAndDrain() {
            driver.advanceWallClockTime(Duration.ZERO);
            drain(snapshots);
            otherOutputs.forEach(Harness::drain);
        }

        private static long drain(TestOutputTopic<byte[], byte[]> output) {
            long read = 0;
            while (!output.isEmpty()) {
                output.readRecord();
                read++;
            }
            return read;
        }

        Round round(int pending) {
            for (int j = 0; j < pending; j++) {
                int i = cursor;
                cursor = (cursor + 1) % size;
                String id = id(i);
                long sequence = ++versions[i];
                events.pipeInput(id, encoder.encode(id + "#" + sequence, id, InventoryItemFold.AGGREGATE_TYPE, sequence,
                    Instant.ofEpochMilli(now), new StockReceived(5, "PO-" + sequence)), Instant.ofEpochMilli(now));
            }
            commitAndDrain();
            Timer timer = meters.find("snapshotter.punctuation").timer();
            long countBefore = timer == null ? 0 : timer.count();
            double totalBefore = timer == null ? 0 : timer.totalTime(TimeUnit.NANOSECONDS);
            long started = System.nanoTime();
            driver.advanceWallClockTime(Duration.ofMillis(T));
            long advanceNanos = System.nanoTime() - started;
            now += T;
            timer = meters.find("snapshotter.punctuation").timer();
            if (timer.count() - countBefore != 1) {
                throw new IllegalStateException((timer.count() - countBefore) + " punctuations, expected one");
            }
            double punctuationNanos = timer.totalTime(TimeUnit.NANOSECONDS) - totalBefore;
            long snapshotted = drain(snapshots);
            otherOutputs.forEach(Harness::drain);
            if (snapshotted != pending) {
                throw new IllegalStateException(snapshotted + " snapshots, expected " + pending);
            }
            return new Round(punctuationNanos / 1e6, advanceNanos / 1e6, snapshotted);
        }

        private static String id(int i) {
            return String.format("item-%07d", i);
        }

        /** As the fold processor keys its schedule: due time (sign bit flipped, big-endian), then aggregateId. */
        private static Bytes scheduleKey(long dueTime, String aggregateId) {
            byte[] id = aggregateId.getBytes(StandardCharsets.UTF_8);
            return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).putLong(dueTime ^ Long.MIN_VALUE).put(id).array());
        }

        @Override
        public void close() throws IOException {
            driver.close();
            try (Stream<Path> paths = Files.walk(stateDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
