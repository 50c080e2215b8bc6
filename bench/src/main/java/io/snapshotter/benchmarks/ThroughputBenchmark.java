package io.snapshotter.benchmarks;

import io.snapshotter.http.HttpSettings;
import io.snapshotter.topology.TopologyConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.serde.AvroWireCodec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * End-to-end fold throughput on a real broker: E events over A aggregates are produced once, then
 * the same topic is folded, round after round, by each contender from a fresh application id and
 * state directory:
 * <ol>
 *   <li>{@code 1}: our processor ({@link ProcessorApp}) with the shipped defaults
 *       ({@code config/application.properties}): hybrid snapshots (N = 100), exactly-once;
 *   <li>{@code 1b}: the same with a policy that never snapshots ({@link NeverSnapshotPolicy});
 *   <li>{@code 2}: the Kafka Streams DSL, {@code groupByKey().aggregate()} of the same fold (same
 *       codec, same {@code AggregateFold}s, state kept as Avro bytes) into a persistent RocksDB
 *       store, exactly-once, Kafka Streams' defaults otherwise: what a user would write;
 *   <li>{@code 2b}: the same DSL with our shipped Kafka settings, when they differ from Kafka
 *       Streams' defaults;
 *   <li>{@code 3}: a plain {@code KafkaConsumer} reading the topic and committing (the ceiling).
 * </ol>
 * Rounds interleave the contenders, each round starting with the next one. A run is timed from its start (application start included, JVM and broker start excluded) until
 * the group's committed offsets reach the end offsets of the topic (polled every 50 ms). The CPU
 * time of the stream threads, the clients' I/O threads, GC/JIT and the broker is sampled meanwhile.
 */
public final class ThroughputBenchmark {

    static final String PLAIN_CONSUMER_THREAD = "bench-plain-consumer";
    static final Path DEFAULTS_FILE = Path.of("config", "application.properties");
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);
    /** Kafka settings of ours that are not about what the DSL's speed depends on. */
    private static final Set<String> NOT_TUNING = Set.of(StreamsConfig.APPLICATION_ID_CONFIG,
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, StreamsConfig.STATE_DIR_CONFIG, StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        StreamsConfig.APPLICATION_SERVER_CONFIG);

    /** Command-line options. */
    record Options(long events, int aggregates, int partitions, int rounds, List<String> runs,
                   Map<String, String> overrides) {
    }

    /** {@code throughput [--events N] [--aggregates N] [--partitions N] [--rounds N] [--runs RUN,...] [--set key=value]...} */
    @Command(name = "throughput", sortOptions = false, sortSynopsis = false,
        description = "Events per second of our processor against the Kafka Streams DSL and a plain consumer, "
            + "on an in-JVM broker.")
    static final class Cli implements Callable<Integer> {
        @Mixin
        BenchMain.Help help;

        @Option(names = "--events", paramLabel = "N", defaultValue = "2000000",
            description = "Events produced to the topic (default: ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--aggregates", paramLabel = "N", defaultValue = "100000",
            description = "Aggregates the events are spread over (default: ${DEFAULT-VALUE}).")
        int aggregates;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of the events topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Rounds; each runs every contender once (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--runs", paramLabel = "RUN", defaultValue = "1,1b,2,2b,3", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Contenders, comma-separated: 1 ours, 1b ours with defaults, 2 the DSL, 2b the DSL with "
                + "our Kafka settings, 3 a plain consumer (default: ${DEFAULT-VALUE}).")
        List<String> runs;

        @Option(names = "--set", paramLabel = "key=value",
            description = "A setting of our processor, over the shipped ones (repeatable).")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            new ThroughputBenchmark(System.out).run(new Options(events, aggregates, partitions, rounds,
                runs.stream().map(String::trim).toList(), overrides));
            return 0;
        }
    }

    /** One timed run. */
    record Result(String contender, int round, long events, double seconds, Map<String, Double> cores,
                  double loadAverage, long snapshots) {
        double eventsPerSecond() {
            return events / seconds;
        }

        /** CPU microseconds of the stream thread (or plain consumer) per event: steadier than ev/s on a busy machine. */
        double streamMicrosPerEvent() {
            return (cores.get(CpuSampler.STREAM) + cores.get(CpuSampler.CONSUMER)) * seconds * 1e6 / events;
        }
    }

    /** A contender: starts folding (or reading) the topic as consumer group {@code group}. */
    private interface Contender {
        Running start(String group, Path stateDir, AtomicReference<String> failure) throws Exception;

        default long snapshots() {
            return -1;
        }
    }

    /** A started contender: closed after the run; {@code failure} non-null once it failed. */
    private record Running(AutoCloseable closer, java.util.function.Supplier<String> failure) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            closer.close();
        }
    }

    private static String stateFailure(KafkaStreams streams) {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
            ? "Kafka Streams is " + state : null;
    }

    /** The settings of {@code config/application.properties}, which the benchmarks measure: run from the project root. */
    static Map<String, String> shippedDefaults() {
        if (!Files.isRegularFile(DEFAULTS_FILE)) {
            throw new IllegalStateException("run from the project root: the shipped defaults " + DEFAULTS_FILE
                + " are read from there");
        }
        return ConfigSources.load(DEFAULTS_FILE, null, Map.of()).values();
    }

    private final PrintStream out;

    public ThroughputBenchmark(PrintStream out) {
        this.out = out;
    }


    public void run(Options options) throws Exception {
        Map<String, String> shipped = shippedDefaults();
        Map<String, String> ourKafkaTuning = new TreeMap<>();
        shipped.forEach((k, v) -> {
            if (k.startsWith(ProcessorConfig.KAFKA_PREFIX)
                    && !NOT_TUNING.contains(k.substring(ProcessorConfig.KAFKA_PREFIX.length()))) {
                ourKafkaTuning.put(k.substring(ProcessorConfig.KAFKA_PREFIX.length()), v);
            }
        });
        List<String> runs = new ArrayList<>(options.runs());
        if (ourKafkaTuning.isEmpty()) {
            runs.remove("2b");
        }

        out.printf("throughput: %,d events over %,d aggregates, %d partitions, %d rounds, runs %s; %d cores, Java %s%n",
            options.events(), options.aggregates(), options.partitions(), options.rounds(), runs,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        out.printf("Shipped Kafka settings beyond Kafka Streams' defaults: %s%n",
            ourKafkaTuning.isEmpty() ? "none (so no run 2b)" : ourKafkaTuning);
        if (!options.overrides().isEmpty()) {
            out.printf("Overrides of our processor's settings (--set): %s%n", options.overrides());
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.start(); Admin admin = BenchKafka.admin(kafka.bootstrapServers())) {
            String bootstrap = kafka.bootstrapServers();
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            String topic = "throughput-events";
            BenchKafka.createTopic(admin, topic, options.partitions(), false);
            BenchKafka.Produced produced = BenchKafka.produce(bootstrap, registry, topic, options.events(),
                BenchKafka.sampleStream(options.aggregates(), BenchKafka.SEED), () -> true);
            BenchKafka.printProduced(out, topic, options.partitions(), produced);
            Map<TopicPartition, Long> ends = BenchKafka.endOffsets(admin, topic, options.partitions());
            long total = BenchKafka.sum(ends);

            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("1", "ours, snapshots hybrid N=100, EOS, shipped defaults");
            labels.put("1b", "ours, snapshots off (custom policy), EOS");
            labels.put("2", "DSL groupByKey().aggregate(), EOS, KS defaults");
            labels.put("2b", "DSL aggregate, EOS, our settings " + ourKafkaTuning);
            labels.put("3", "plain KafkaConsumer (ceiling)");

            Map<String, List<Result>> results = new LinkedHashMap<>();
            for (int round = 1; round <= options.rounds(); round++) {
                // each round starts with another contender, so the JVM's warm-up (JIT) is not always
                // paid by the same one
                List<String> order = new ArrayList<>(runs);
                java.util.Collections.rotate(order, -((round - 1) % order.size()));
                for (String run : order) {
                    Map<String, String> ours = new HashMap<>(shipped);
                    ours.putAll(options.overrides());
                    Contender contender = switch (run) {
                        case "1" -> processor(admin, bootstrap, registry, topic, options.partitions(), ours);
                        case "1b" -> {
                            ours.put(TopologyConfig.SNAPSHOT_POLICY, "custom");
                            ours.put(TopologyConfig.SNAPSHOT_POLICY_CLASS, NeverSnapshotPolicy.class.getName());
                            yield processor(admin, bootstrap, registry, topic, options.partitions(), ours);
                        }
                        case "2" -> dsl(bootstrap, registry, topic, Map.of());
                        case "2b" -> dsl(bootstrap, registry, topic, ourKafkaTuning);
                        case "3" -> plainConsumer(bootstrap, topic, total);
                        default -> throw new IllegalArgumentException("unknown run '" + run + "': 1, 1b, 2, 2b or 3");
                    };
                    String group = "tp-" + run + "-r" + round + "-" + System.currentTimeMillis();
                    Result result = time(run, round, contender, group, admin, ends, total);
                    results.computeIfAbsent(run, r -> new ArrayList<>()).add(result);
                    out.printf("round %d, run %-2s: %,9.0f ev/s (%.2f s), %.2f us stream CPU/event, cores: %s, "
                            + "load avg before %.2f%s%n", round, run, result.eventsPerSecond(), result.seconds(),
                        result.streamMicrosPerEvent(), formatCores(result.cores()),
                        result.loadAverage(), result.snapshots() >= 0 ? ", snapshots " + result.snapshots() : "");
                    System.gc();
                    BenchKafka.sleep(Duration.ofSeconds(1));
                }
            }
            printSummary(options, labels, results, produced);
        }
    }

    private Result time(String run, int round, Contender contender, String group, Admin admin,
                        Map<TopicPartition, Long> ends, long total) throws Exception {
        Path stateDir = Files.createTempDirectory("throughput-" + group + "-");
        AtomicReference<String> failure = new AtomicReference<>();
        try {
            double load = new CpuSampler().loadAverage();
            CpuSampler cpu = new CpuSampler();
            long started = System.nanoTime();
            long deadline = started + RUN_TIMEOUT.toNanos();
            try (Running running = contender.start(group, stateDir, failure)) {
                long committed = 0;
                while (committed < total) {
                    BenchKafka.sleep(POLL);
                    cpu.sample();
                    if (running.failure().get() != null) {
                        throw new IllegalStateException("run " + run + " failed: " + running.failure().get());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("run " + run + " committed " + committed + " of " + total
                            + " within " + RUN_TIMEOUT);
                    }
                    committed = BenchKafka.committed(admin, group, ends);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                return new Result(run, round, total, seconds, cpu.coresByRole(), load, contender.snapshots());
            }
        } finally {
            BenchKafka.deleteRecursively(stateDir);
        }
    }

    /** Our processor as shipped, with {@code values} over the shipped defaults. */
    private static Contender processor(Admin admin, String bootstrap, SchemaRegistryClient registry, String topic,
                                       int partitions, Map<String, String> values) {
        return new Contender() {
            private ProcessorApp app;

            @Override
            public Running start(String group, Path stateDir, AtomicReference<String> failure) throws Exception {
                values.put("kafka.bootstrap.servers", bootstrap);
                values.put("kafka.application.id", group);
                values.putIfAbsent("schema.registry.url", "mock://" + group);
                values.put("kafka.state.dir", stateDir.toString());
                values.put(TopologyConfig.EVENTS_TOPIC, topic);
                values.put(TopologyConfig.SNAPSHOTS_TOPIC, group + "-snapshots");
                values.put(TopologyConfig.DEAD_LETTER_TOPIC, group + "-dlq");
                values.put(TopologyConfig.SNAPSHOT_REQUESTS_TOPIC, group + "-requests");
                values.put(ProcessorConfig.TOPICS_PARTITIONS, Integer.toString(partitions));
                values.put(HttpSettings.HOST, "127.0.0.1");
                values.put(HttpSettings.PORT, "0");
                ProcessorConfig config = new ProcessorConfig(values);
                // created before the clock starts, as an operator would have them
                BenchKafka.createTopic(admin, config.snapshotsTopic(), partitions, true);
                BenchKafka.createTopic(admin, config.deadLetterTopic(), partitions, false);
                BenchKafka.createTopic(admin, group + "-requests", partitions, false);
                app = ProcessorApp.start(config, registry);
                return new Running(app, () -> stateFailure(app.streams()));
            }

            @Override
            public long snapshots() {
                return (long) app.meters().find("snapshotter.snapshot.size").summaries().stream()
                    .mapToLong(DistributionSummary::count).sum();
            }
        };
    }

    /**
     * What a user would write with the DSL: decode the envelope and payload with the same codec, apply
     * the same {@code AggregateFold}, keep the state as Avro bytes in a persistent RocksDB store.
     */
    private static Contender dsl(String bootstrap, SchemaRegistryClient registry, String topic,
                                 Map<String, String> tuning) {
        return (group, stateDir, failure) -> {
            FoldRegistry folds = FoldRegistry.fromClassPath();
            AvroWireCodec codec = new AvroWireCodec(registry);
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .groupByKey()
                .aggregate(() -> new byte[0], (key, value, state) -> fold(codec, folds, key, value, state),
                    Materialized.<String, byte[]>as(Stores.persistentKeyValueStore("aggregates"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
            Properties props = new Properties();
            props.putAll(tuning);
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, group);
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            KafkaStreams streams = new KafkaStreams(builder.build(), props);
            streams.start();
            return new Running(() -> streams.close(Duration.ofSeconds(30)), () -> stateFailure(streams));
        };
    }

    private static byte[] fold(AvroWireCodec codec, FoldRegistry folds, String key, byte[] value, byte[] state) {
        EventEnvelope event = codec.decode(value, EventEnvelope.class);
        RegisteredFold fold = folds.forType(event.getAggregateType());
        byte[] payloadBytes = event.getPayload().array();
        Schema reader = fold.readerSchemaFor(codec.writerSchemaOf(payloadBytes));
        SpecificRecord payload = (SpecificRecord) codec.decode(payloadBytes, reader);
        SpecificRecord current = state.length == 0 ? null : codec.decode(state, fold.fold().stateType());
        SpecificRecord next = fold.fold().apply(current, new DomainEvent(event.getEventId(), key, event.getSequence(),
            event.getTimestamp(), payload));
        return codec.encode(next.getSchema().getFullName(), next, true);
    }

    /** A plain consumer reading the whole topic, committing after every poll: the ceiling. */
    private static Contender plainConsumer(String bootstrap, String topic, long total) {
        return (group, stateDir, failure) -> {
            AtomicBoolean stop = new AtomicBoolean();
            Thread thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG, group,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(topic));
                    long read = 0;
                    long bytes = 0;
                    while (!stop.get() && read < total) {
                        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                        for (var record : records) {
                            bytes += record.value().length;
                        }
                        read += records.count();
                        if (!records.isEmpty()) {
                            consumer.commitAsync();
                        }
                    }
                    consumer.commitSync();
                    if (bytes < 0) {
                        throw new IllegalStateException("unreachable: keeps the value reads");
                    }
                } catch (RuntimeException e) {
                    failure.set(e.toString());
                }
            }, PLAIN_CONSUMER_THREAD);
            thread.start();
            return new Running(() -> {
                stop.set(true);
                thread.join();
            }, failure::get);
        };
    }

    private void printSummary(Options options, Map<String, String> labels, Map<String, List<Result>> results,
                              BenchKafka.Produced produced) {
        out.println();
        out.printf("%,d events (%.0f B average) over %,d aggregates, %d partitions, exactly-once where it applies, "
            + "1 stream thread (Kafka Streams' default and ours)%n", produced.events(), produced.averageBytes(),
            options.aggregates(), options.partitions());
        StringBuilder header = new StringBuilder(String.format("| %-3s | %-60s |", "run", "contender"));
        StringBuilder rule = new StringBuilder("|-----|" + "-".repeat(62) + "|");
        for (int r = 1; r <= options.rounds(); r++) {
            header.append(String.format(" %10s |", "round " + r));
            rule.append("-".repeat(12)).append("|");
        }
        header.append(String.format(" %10s | %9s | %-30s |", "median", "us/event", "cores: stream/io/jvm/brk/all"));
        rule.append("-".repeat(12)).append("|").append("-".repeat(11)).append("|").append("-".repeat(32)).append("|");
        out.println(header);
        out.println(rule);
        Map<String, Double> medians = new LinkedHashMap<>();
        results.forEach((run, list) -> {
            StringBuilder row = new StringBuilder(String.format("| %-3s | %-60s |", run, truncate(labels.get(run), 60)));
            for (Result r : list) {
                row.append(String.format(" %,10.0f |", r.eventsPerSecond()));
            }
            for (int r = list.size(); r < options.rounds(); r++) {
                row.append(String.format(" %10s |", "-"));
            }
            Result median = median(list);
            medians.put(run, median.eventsPerSecond());
            row.append(String.format(" %,10.0f | %9.2f | %-30s |", median.eventsPerSecond(),
                median.streamMicrosPerEvent(), formatCores(median.cores())));
            out.println(row);
        });
        out.println();
        ratio(medians, "1", "2", "ours / DSL (KS defaults)");
        ratio(medians, "1", "2b", "ours / DSL (our settings)");
        ratio(medians, "1", "3", "ours / plain consumer");
        ratio(medians, "1b", "1", "snapshots off / on (snapshot overhead)");
        out.println("us/event: CPU time of the stream thread (run 3: the consumer thread) per event; cores: CPU seconds "
            + "per second of the stream thread(s), client I/O threads, JVM (GC, JIT), broker and the whole process, at "
            + "the median run.");
        Map<String, Double> cpu = new LinkedHashMap<>();
        results.forEach((run, list) -> cpu.put(run, list.stream().mapToDouble(Result::streamMicrosPerEvent).sorted()
            .skip(list.size() / 2).findFirst().orElse(Double.NaN)));
        for (String other : List.of("2", "2b")) {
            if (cpu.containsKey("1") && cpu.containsKey(other)) {
                out.printf("Stream-thread CPU per event (steadier than ev/s on a shared machine), medians: 1 %.2f us, "
                    + "%s %.2f us: the DSL needs %.2fx ours%n", cpu.get("1"), other, cpu.get(other),
                    cpu.get(other) / cpu.get("1"));
            }
        }
        if (medians.containsKey("1") && medians.containsKey("2")) {
            double bar = medians.get("1") / medians.get("2");
            out.printf("Bar 1/2 >= 1.0: %s (%.2f)%n", bar >= 1.0 ? "HOLDS" : "DOES NOT HOLD", bar);
        }
        if (results.containsKey("1")) {
            Map<String, Double> cores = median(results.get("1")).cores();
            double stream = cores.get(CpuSampler.STREAM);
            double process = cores.get("process");
            int available = Runtime.getRuntime().availableProcessors();
            out.printf("What limits 1/3: during run 1 the stream thread used %.2f of its 1 core, the broker %.2f, "
                    + "client I/O %.2f, GC+JIT %.2f; the whole JVM %.2f of %d cores.%n", stream,
                cores.get(CpuSampler.BROKER), cores.get(CpuSampler.CLIENT_IO), cores.get(CpuSampler.JVM), process,
                available);
            double load = median(results.get("1")).loadAverage();
            double micros = cpu.get("1");
            out.printf("  at %.2f us of stream-thread CPU per event, one stream thread on a full core folds at most "
                + "%,.0f ev/s%s%n", micros, 1e6 / micros, cpu.containsKey("3")
                ? String.format("; the plain consumer spends %.2f us per event", cpu.get("3")) : "");
            if (load > available) {
                out.printf("  (the machine's load average was %.1f on %d cores before that run: other processes took "
                    + "CPU from it, so its figures are low)%n", load, available);
            }
            if (stream >= 0.8) {
                out.println("  -> the single stream thread is CPU-bound: the fold path (decode, fold, encode, store, "
                    + "commit) caps one thread; more stream threads or instances (partitions permitting) scale it.");
            } else if (process >= 0.85 * available || load > available) {
                out.println("  -> the machine is CPU-bound: broker, clients, the stream thread (and whatever else runs) "
                    + "share the cores.");
            } else {
                out.println("  -> neither the stream thread nor the machine is saturated: waiting (commits, "
                    + "transactions, fetches) limits it.");
            }
        }
    }

    private void ratio(Map<String, Double> medians, String a, String b, String what) {
        if (medians.containsKey(a) && medians.containsKey(b)) {
            out.printf("%-4s %-45s %.2f%n", a + "/" + b, what, medians.get(a) / medians.get(b));
        }
    }

    private static Result median(List<Result> list) {
        List<Result> sorted = new ArrayList<>(list);
        sorted.sort((x, y) -> Double.compare(x.eventsPerSecond(), y.eventsPerSecond()));
        return sorted.get(sorted.size() / 2);
    }

    private static String formatCores(Map<String, Double> cores) {
        return String.format("%.2f/%.2f/%.2f/%.2f/%.2f", cores.get(CpuSampler.STREAM) + cores.get(CpuSampler.CONSUMER),
            cores.get(CpuSampler.CLIENT_IO), cores.get(CpuSampler.JVM), cores.get(CpuSampler.BROKER),
            cores.get("process"));
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
