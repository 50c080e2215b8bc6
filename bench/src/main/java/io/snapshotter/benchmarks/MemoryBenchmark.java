package io.snapshotter.benchmarks;

import io.snapshotter.rocksdb.RocksDbMemoryConfig;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.topology.FoldMetrics;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.testkit.KafkaBrokerProcess;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.rocksdb.BoundedRocksDbMemory;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code memory [--aggregates 5000000] [--events-per-aggregate 1] [--heap 1g] [--budget 268435456]
 * [--modes bounded,defaults] [--partitions 6] [--threads 1]}: the processor folds every aggregate's
 * events with a fixed {@code -Xmx} and the RocksDB budget, and its peak heap and peak resident memory
 * are measured.
 *
 * <p>The broker runs as a process of its own ({@link KafkaBrokerProcess}), so its memory is not
 * counted. For each mode a child JVM with {@code -Xmx<heap>} first produces the events (through the
 * in-process schema registry, which the processor in the same JVM then reads), then resets its peaks
 * (the heap pools' peak usage, and {@code VmHWM} through {@code /proc/self/clear_refs}), starts the
 * processor ({@link ProcessorApp}, exactly-once, HTTP off) and waits until every event is folded.
 * It prints the peak heap (the pools' peaks and the highest sampled total), the peak RSS
 * ({@code VmHWM}), RocksDB's own usage (the shared cache's, and Kafka Streams' RocksDB metrics summed
 * over the stores) and the time taken. Mode {@code bounded} is the default configuration
 * ({@code rocksdb.memory.bounded=true}); {@code defaults} leaves RocksDB to Kafka Streams' defaults.
 */
final class MemoryBenchmark {

    private static final String RESULT = "RESULT ";

    private MemoryBenchmark() {
    }

    /**
     * {@code memory [--aggregates N] [--events-per-aggregate N] [--heap SIZE] [--budget BYTES]
     * [--modes MODE,...] [--partitions N] [--threads N]}.
     */
    @Command(name = "memory", sortOptions = false, sortSynopsis = false,
        description = "Memory of the processor's JVM (a child process) while folding, RocksDB bounded by the "
            + "rocksdb.* budget and with RocksDB's defaults; the broker runs in its own process.")
    static final class Cli implements Callable<Integer> {
        @Mixin
        BenchMain.Help help;

        @Option(names = "--aggregates", paramLabel = "N", defaultValue = "5000000",
            description = "Aggregates folded (default: ${DEFAULT-VALUE}).")
        int aggregates;

        @Option(names = "--events-per-aggregate", paramLabel = "N", defaultValue = "1",
            description = "Events of each aggregate (default: ${DEFAULT-VALUE}).")
        int eventsPerAggregate;

        @Option(names = "--heap", paramLabel = "SIZE", defaultValue = "1g",
            description = "-Xmx of the processor's JVM (default: ${DEFAULT-VALUE}).")
        String heap;

        @Option(names = "--budget", paramLabel = "BYTES",
            description = "RocksDB memory budget in bounded mode (default: ${DEFAULT-VALUE}).")
        long budget = BoundedRocksDbMemory.DEFAULT_MEMORY_BYTES;

        @Option(names = "--modes", paramLabel = "MODE", defaultValue = "bounded,defaults", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Modes, comma-separated: bounded, defaults (default: ${DEFAULT-VALUE}).")
        List<String> modes;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of the events topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Stream threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Override
        public Integer call() throws Exception {
            run(this);
            return 0;
        }
    }

    static void run(Cli options) throws Exception {
        Path dir = Files.createTempDirectory("bench-memory-");
        Map<String, Map<String, String>> results = new LinkedHashMap<>();
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir.resolve("broker"))) {
            System.out.printf("memory: broker %s (own process, not counted)%n", broker.bootstrapServers());
            for (String mode : options.modes) {
                List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + options.heap, "-XX:+UseG1GC",
                    "-cp", System.getProperty("java.class.path"), MemoryBenchmark.class.getName(),
                    broker.bootstrapServers(), mode.trim(), String.valueOf(options.aggregates),
                    String.valueOf(options.eventsPerAggregate), String.valueOf(options.budget),
                    String.valueOf(options.partitions), String.valueOf(options.threads),
                    dir.resolve("state-" + mode.trim()).toString()));
                System.out.printf("%n== mode %s: %s%n", mode.trim(), String.join(" ", command.subList(0, 4)));
                Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
                Map<String, String> result = new LinkedHashMap<>();
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        System.out.println("  " + line);
                        if (line.startsWith(RESULT)) {
                            String[] kv = line.substring(RESULT.length()).split("=", 2);
                            result.put(kv[0], kv[1]);
                        }
                    }
                }
                int exit = child.waitFor();
                if (exit != 0) {
                    throw new IllegalStateException("mode " + mode + ": the processor's JVM exited with " + exit);
                }
                results.put(mode.trim(), result);
                deleteTree(dir.resolve("state-" + mode.trim()));
            }
        } finally {
            deleteTree(dir);
        }
        print(results);
    }

    private static void print(Map<String, Map<String, String>> results) {
        System.out.println();
        System.out.println("Memory of the processor's JVM while folding (broker in its own process):");
        List<String> keys = new ArrayList<>();
        results.values().forEach(r -> r.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add));
        StringBuilder header = new StringBuilder(String.format("%-34s", ""));
        results.keySet().forEach(mode -> header.append(String.format("%24s", mode)));
        System.out.println(header);
        for (String key : keys) {
            StringBuilder row = new StringBuilder(String.format("%-34s", key));
            results.values().forEach(r -> row.append(String.format("%24s", r.getOrDefault(key, "-"))));
            System.out.println(row);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- the processor's JVM ----

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String mode = args[1];
        int aggregates = Integer.parseInt(args[2]);
        int perAggregate = Integer.parseInt(args[3]);
        long budget = Long.parseLong(args[4]);
        int partitions = Integer.parseInt(args[5]);
        int threads = Integer.parseInt(args[6]);
        String stateDir = args[7];
        boolean bounded = mode.equals("bounded");
        if (!bounded && !mode.equals("defaults")) {
            throw new IllegalArgumentException("mode is bounded or defaults, not " + mode);
        }
        long events = (long) aggregates * perAggregate;

        Map<String, String> values = new HashMap<>();
        values.put("kafka.bootstrap.servers", bootstrap);
        values.put("kafka.application.id", "memory-" + mode);
        values.putIfAbsent("schema.registry.url", "mock://memory-" + mode);
        values.put("kafka.state.dir", stateDir);
        values.put("kafka.num.stream.threads", String.valueOf(threads));
        values.put("topic.events", "memory-" + mode + "-events");
        values.put("topic.snapshots", "memory-" + mode + "-snapshots");
        values.put("topic.dead.letters", "memory-" + mode + "-dlq");
        values.put("topic.snapshot.requests", "memory-" + mode + "-requests");
        values.put("topics.partitions", String.valueOf(partitions));
        values.put("http.enabled", "false");
        values.put(RocksDbMemoryConfig.BOUNDED, String.valueOf(bounded));
        values.put(RocksDbMemoryConfig.MEMORY_BYTES, String.valueOf(budget));
        ProcessorConfig config = new ProcessorConfig(values);
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

        long produceStarted = System.nanoTime();
        produce(config, registry, aggregates, perAggregate, partitions);
        System.out.printf("produced %,d events for %,d aggregates in %.1f s%n", events, aggregates,
            (System.nanoTime() - produceStarted) / 1e9);

        System.gc();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        boolean hwmReset = resetHighWaterMark();
        Sampler sampler = new Sampler(heapPools);
        sampler.start();

        long started = System.nanoTime();
        ProcessorApp app = ProcessorApp.start(config, registry);
        KafkaStreams streams = app.streams();
        double folded = 0;
        long lastReport = System.nanoTime();
        while (folded < events) {
            Thread.sleep(500);
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the processor stopped: " + streams.state());
            }
            // registered when the first task starts
            var counter = app.meters().find(FoldMetrics.EVENTS_FOLDED).counter();
            folded = counter == null ? 0 : counter.count();
            if (System.nanoTime() - lastReport > 15e9) {
                lastReport = System.nanoTime();
                System.out.printf("  %5.0f s: folded %,.0f of %,d  heap %,d MiB  RSS %,d MiB  RocksDB %s%n",
                    (lastReport - started) / 1e9, folded, events, sampler.heapUsed() >> 20, rss("VmRSS") >> 20,
                    rocksDbSummary(streams, bounded, values));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        sampler.stop();
        String rocksDb = rocksDbSummary(streams, bounded, values);
        long hwm = rss("VmHWM");
        long poolPeaks = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        Map<String, String> result = new LinkedHashMap<>();
        result.put("aggregates", String.format("%,d", aggregates));
        result.put("events", String.format("%,d", events));
        result.put("-Xmx", String.format("%,d MiB", Runtime.getRuntime().maxMemory() >> 20));
        result.put("rocksdb budget", bounded ? String.format("%,d MiB (bounded)", budget >> 20) : "none (defaults)");
        result.put("stores (tasks x 2)", String.valueOf(countStores(streams)));
        result.put("peak heap (pool peaks)", String.format("%,d MiB", poolPeaks >> 20));
        result.put("peak heap (sampled)", String.format("%,d MiB", sampler.peakHeap.get() >> 20));
        result.put("peak RSS (VmHWM)", String.format("%,d MiB%s", hwm >> 20, hwmReset ? "" : " (incl. produce)"));
        result.put("peak RSS (sampled)", String.format("%,d MiB", sampler.peakRss.get() >> 20));
        result.put("rocksdb at end", rocksDb);
        result.put("rocksdb cache peak (sampled)", bounded ? String.format("%,d MiB", sampler.peakCache.get() >> 20) : "-");
        result.put("time to fold", String.format("%.0f s (%,.0f events/s)", seconds, events / seconds));
        result.forEach((k, v) -> System.out.println(RESULT + k + "=" + v));
        app.close();
        System.exit(0);
    }

    private static void produce(ProcessorConfig config, InMemorySchemaRegistry registry, int aggregates,
                                int perAggregate, int partitions) throws Exception {
        try (Admin admin = Admin.create(config.clientProperties(Set.of("bootstrap.servers"), "admin."))) {
            admin.createTopics(List.of(new NewTopic(config.eventsTopic(), partitions, (short) 1))).all().get();
        }
        Properties props = config.clientProperties(ProducerConfig.configNames(), "producer.");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        EventEncoder encoder = new EventEncoder(new AvroWireCodec(registry), config.eventsTopic());
        Instant start = Instant.now();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int sequence = 1; sequence <= perAggregate; sequence++) {
                for (int i = 0; i < aggregates; i++) {
                    String id = String.format("item-%08d", i);
                    Object payload = sequence == 1
                        ? new ItemRegistered(String.format("SKU-%08d", i), "Item " + i, "warehouse-" + i % 100)
                        : new StockReceived(1 + i % 50, "PO-" + sequence);
                    producer.send(new ProducerRecord<>(config.eventsTopic(), id, encoder.encode(id + "#" + sequence, id,
                        InventoryItemFold.AGGREGATE_TYPE, sequence, start.plusMillis(sequence),
                        (org.apache.avro.specific.SpecificRecord) payload)));
                }
            }
            producer.flush();
        }
    }

    /** Resets VmHWM to the current RSS; false where the kernel does not allow it. */
    private static boolean resetHighWaterMark() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            System.out.println("cannot reset VmHWM (" + e + "): the peak RSS includes the produce phase");
            return false;
        }
    }

    /** A line of /proc/self/status in bytes ({@code VmRSS}, {@code VmHWM}). */
    static long rss(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static double sum(KafkaStreams streams, String group, String name) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            if (e.getKey().group().equals(group) && e.getKey().name().equals(name)
                    && e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                total += n.doubleValue();
            }
        }
        return total;
    }

    private static long countStores(KafkaStreams streams) {
        return streams.metrics().keySet().stream()
            .filter(n -> n.group().equals("stream-state-metrics") && n.name().equals("cur-size-all-mem-tables"))
            .count();
    }

    /** The shared cache's usage (bounded) and Kafka Streams' RocksDB metrics summed over the stores. */
    private static String rocksDbSummary(KafkaStreams streams, boolean bounded, Map<String, String> values) {
        double memtables = sum(streams, "stream-state-metrics", "size-all-mem-tables");
        double readers = sum(streams, "stream-state-metrics", "estimate-table-readers-mem");
        double sst = sum(streams, "stream-state-metrics", "total-sst-files-size");
        String cache;
        if (bounded) {
            long usage = 0;
            long pinned = 0;
            for (BoundedRocksDbMemory.Shared shared : BoundedRocksDbMemory.allShared()) {
                usage += shared.usage();
                pinned += shared.pinnedUsage();
            }
            cache = String.format("cache %,d MiB (pinned %,d) incl. memtables", usage >> 20, pinned >> 20);
        } else {
            cache = String.format("caches %,.0f MiB", sum(streams, "stream-state-metrics", "block-cache-usage") / (1 << 20));
        }
        return String.format("%s; memtables %,.0f MiB, table readers %,.0f MiB, SST %,.0f MiB", cache,
            memtables / (1 << 20), readers / (1 << 20), sst / (1 << 20));
    }

    /** Samples heap, RSS and the shared cache every 200 ms, keeping the peaks. */
    private static final class Sampler {
        private final List<MemoryPoolMXBean> heapPools;
        final AtomicLong peakHeap = new AtomicLong();
        final AtomicLong peakRss = new AtomicLong();
        final AtomicLong peakCache = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread;

        Sampler(List<MemoryPoolMXBean> heapPools) {
            this.heapPools = heapPools;
            this.thread = new Thread(this::loop, "memory-sampler");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        long heapUsed() {
            return heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        }

        private void loop() {
            while (running) {
                peakHeap.accumulateAndGet(heapUsed(), Math::max);
                peakRss.accumulateAndGet(rss("VmRSS"), Math::max);
                long cache = 0;
                for (BoundedRocksDbMemory.Shared shared : BoundedRocksDbMemory.allShared()) {
                    cache += shared.usage();
                }
                peakCache.accumulateAndGet(cache, Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
