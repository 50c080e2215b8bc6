package io.snapshotter.benchmarks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.http.HttpSettings;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.topology.FoldMetrics;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.topology.TopologyConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * End-to-end fold throughput on a real broker, per {@link EventWorkload workload}: its events are
 * produced once, then the same topic is folded, round after round, by each contender from a fresh
 * application id and state directory:
 * <ol start="0">
 *   <li>{@code 0}: a Kafka Streams topology that only counts the records, exactly-once, our Kafka
 *       settings: the framework's floor;
 *   <li>{@code 1}: our processor ({@link ProcessorApp}) with the shipped defaults
 *       ({@code config/application.properties}) and the workload's snapshot interval N
 *       ({@code snapshot.every.events}): hybrid snapshots, exactly-once;
 *   <li>{@code 1b}: the same with a policy that never snapshots ({@link NeverSnapshotPolicy});
 *   <li>{@code 2}: the Kafka Streams DSL, {@code groupByKey().aggregate()} of the same fold (same
 *       codec, same {@code AggregateFold}s, state kept as Avro bytes) into a persistent RocksDB
 *       store, exactly-once, Kafka Streams' defaults otherwise: what a user would write;
 *   <li>{@code 2b}: the same DSL with our Kafka settings, where they differ from Kafka Streams' defaults;
 *   <li>{@code 3}: a plain {@code KafkaConsumer} reading the topic and committing (the ceiling).
 * </ol>
 * Every Kafka Streams contender (0 to 2b) runs with each of {@code --threads} stream threads
 * (labelled {@code 1@2t}, ...). Rounds interleave the contenders, each round starting with the next
 * one. A run's rate is its events over the time from the moment it is ready (Kafka Streams RUNNING,
 * the consumer assigned) until the group's committed offsets reach the end offsets of the topic
 * (polled every 50 ms); the start before that is printed apart. The CPU time of the stream threads
 * (all of them, summed), the clients' I/O threads, GC/JIT and the broker is sampled meanwhile.
 */
public final class ThroughputBenchmark {

    static final String PLAIN_CONSUMER_THREAD = "bench-plain-consumer";
    static final Path DEFAULTS_FILE = Path.of("config", "application.properties");
    static final List<String> RUNS = List.of("0", "1", "1b", "2", "2b", "3");
    /** Issue 15's bars: ours against the tuned DSL (events/s and CPU per event), against the floor, snapshots off / on. */
    static final double SPEEDUP_BAR = 2.0;
    static final double FLOOR_SHARE_BAR = 0.4;
    static final double SNAPSHOT_OVERHEAD_BAR = 1.1;
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);
    /** Kafka settings of ours that are not about what the DSL's speed depends on, or that each run sets itself. */
    private static final Set<String> NOT_TUNING = Set.of(StreamsConfig.APPLICATION_ID_CONFIG,
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, StreamsConfig.STATE_DIR_CONFIG, StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        StreamsConfig.APPLICATION_SERVER_CONFIG, StreamsConfig.NUM_STREAM_THREADS_CONFIG);

    /** Command-line options, resolved: the workloads with their sizes. */
    record Options(List<EventWorkload> workloads, int partitions, int rounds, List<String> runs, List<Integer> threads,
                   Map<String, String> overrides) {
    }

    /**
     * {@code throughput [--workload W,...] [--events N] [--aggregates N] [--partitions N] [--rounds N]
     * [--runs RUN,...] [--threads T,...] [--quick] [--set key=value]...}
     */
    @Command(name = "throughput", sortOptions = false, sortSynopsis = false,
        description = "Events and snapshots per second of our processor against the Kafka Streams DSL, a no-op "
            + "Kafka Streams topology and a plain consumer, on an in-JVM broker, per workload.")
    static final class Cli implements Callable<Integer> {
        @Mixin
        BenchMain.Help help;

        @Spec
        CommandSpec spec;

        @Option(names = "--workload", paramLabel = "W", defaultValue = "uniform,hot,zipf", split = "\\s*,\\s*",
            splitSynopsisLabel = ",", description = "Workloads, comma-separated or repeated: uniform (100k aggregates "
                + "x 20 events, N = 10), hot (10k x 200, N = 100), zipf (1M aggregates, Zipf s = 1.1, N = 100); "
                + "2M events each (default: ${DEFAULT-VALUE}).")
        List<String> workloads;

        @Mixin
        EventWorkload.Sizing sizing;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of the events topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--rounds", paramLabel = "N",
            description = "Rounds; each runs every contender once (default: 3; 1 with --quick).")
        Integer rounds;

        @Option(names = "--runs", paramLabel = "RUN", defaultValue = "0,1,1b,2,2b,3", split = "\\s*,\\s*",
            splitSynopsisLabel = ",", description = "Contenders, comma-separated: 0 a no-op Kafka Streams topology "
                + "(the floor), 1 ours, 1b ours with snapshots off, 2 the DSL, 2b the DSL with our Kafka settings, "
                + "3 a plain consumer (default: ${DEFAULT-VALUE}).")
        List<String> runs;

        @Option(names = "--threads", paramLabel = "T", defaultValue = "1,2", split = "\\s*,\\s*",
            splitSynopsisLabel = ",", description = "Stream threads (num.stream.threads) each Kafka Streams "
                + "contender runs with, comma-separated (default: ${DEFAULT-VALUE}).")
        List<Integer> threads;

        @Option(names = "--set", paramLabel = "key=value",
            description = "A setting of our processor, over the shipped ones and the workload's N (repeatable); "
                + "kafka.* ones apply to runs 0 and 2b too.")
        Map<String, String> overrides = new LinkedHashMap<>();

        /** The options as the benchmark takes them; a wrong one is a usage error, before anything starts. */
        Options options() {
            List<EventWorkload> chosen = new ArrayList<>();
            for (String name : workloads) {
                try {
                    chosen.add(sizing.of(name));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            for (String run : runs) {
                if (!RUNS.contains(run)) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                        "unknown run '" + run + "': one of " + String.join(", ", RUNS));
                }
            }
            if (threads.stream().anyMatch(t -> t < 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--threads: at least 1 each");
            }
            return new Options(chosen, partitions, rounds != null ? rounds : sizing.quick ? 1 : 3,
                runs.stream().distinct().toList(), threads.stream().distinct().toList(), overrides);
        }

        @Override
        public Integer call() throws Exception {
            new ThroughputBenchmark(System.out).run(options());
            return 0;
        }
    }

    /** A contender with its stream threads: {@code 1@2t} (the plain consumer has none: {@code 3}). */
    record Entry(String run, int threads) {
        String label() {
            return run.equals("3") ? run : run + "@" + threads + "t";
        }
    }

    /**
     * One timed run.
     *
     * @param seconds      from ready to the end: what the rate is over
     * @param startSeconds from the start of the application to ready
     * @param cores        cores used by role, over the whole run (start included)
     * @param snapshots    snapshots ours emitted; -1 for the other contenders
     */
    record Result(Entry entry, int round, long events, double seconds, double startSeconds, Map<String, Double> cores,
                  double loadAverage, long snapshots) {
        double eventsPerSecond() {
            return events / seconds;
        }

        /** CPU microseconds of the stream threads (or plain consumer) per event: steadier than ev/s on a busy machine. */
        double streamMicrosPerEvent() {
            return (cores.get(CpuSampler.STREAM) + cores.get(CpuSampler.CONSUMER)) * (seconds + startSeconds) * 1e6
                / events;
        }

        double snapshotsPerSecond() {
            return snapshots < 0 ? Double.NaN : snapshots / seconds;
        }
    }

    /** A contender: starts folding (or reading) the topic as consumer group {@code group}. */
    interface Contender {
        Running start(String group, Path stateDir) throws Exception;
    }

    /**
     * A started contender, closed after the run.
     *
     * @param failure   non-null once it failed
     * @param ready     true once it reads the topic (Kafka Streams RUNNING, the consumer assigned)
     * @param snapshots snapshots emitted so far; -1 where there are none to count
     */
    record Running(AutoCloseable closer, Supplier<String> failure, BooleanSupplier ready, LongSupplier snapshots)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            closer.close();
        }
    }

    /** A ratio held against one of the issue's bars. */
    record Verdict(String workload, String what, double value, double bar, boolean atLeast) {
        boolean holds() {
            return atLeast ? value >= bar : value <= bar;
        }

        String line() {
            return String.format("%-8s %-52s %6.2f  (bar %s %.2f)  %s", workload, what, value, atLeast ? ">=" : "<=",
                bar, holds() ? "HOLDS" : "DOES NOT HOLD");
        }
    }

    static String stateFailure(KafkaStreams streams) {
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

    /** Our settings of Kafka (without the prefix) that differ from Kafka Streams' defaults and bear on speed. */
    static Map<String, String> kafkaTuning(Map<String, String> ours) {
        Map<String, String> tuning = new TreeMap<>();
        ours.forEach((k, v) -> {
            if (k.startsWith(ProcessorConfig.KAFKA_PREFIX)
                    && !NOT_TUNING.contains(k.substring(ProcessorConfig.KAFKA_PREFIX.length()))) {
                tuning.put(k.substring(ProcessorConfig.KAFKA_PREFIX.length()), v);
            }
        });
        // ours caches aggregates in its own cache, not Kafka Streams' record cache: the tuned DSL gets
        // Kafka Streams' cache with the same budget
        if (!tuning.isEmpty()) {
            tuning.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG,
                ours.getOrDefault(TopologyConfig.AGGREGATES_CACHE_MAX_BYTES, Long.toString(64L * 1024 * 1024)));
        }
        return tuning;
    }

    private final PrintStream out;

    public ThroughputBenchmark(PrintStream out) {
        this.out = out;
    }

    public void run(Options options) throws Exception {
        long began = System.nanoTime();
        Map<String, String> shipped = shippedDefaults();
        Map<String, String> withOverrides = new HashMap<>(shipped);
        withOverrides.putAll(options.overrides());
        Map<String, String> ourKafkaTuning = kafkaTuning(withOverrides);
        List<String> runs = new ArrayList<>(options.runs());
        if (ourKafkaTuning.isEmpty()) {
            runs.remove("2b");
        }
        List<Entry> entries = new ArrayList<>();
        for (String run : runs) {
            if (run.equals("3")) {
                entries.add(new Entry(run, 1));
            } else {
                options.threads().forEach(t -> entries.add(new Entry(run, t)));
            }
        }

        out.printf("throughput: workloads %s, %d partitions, %d rounds, contenders %s; %d cores, Java %s%n",
            options.workloads().stream().map(EventWorkload::name).toList(), options.partitions(), options.rounds(),
            entries.stream().map(Entry::label).toList(), Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"));
        options.workloads().forEach(w -> out.println("  " + w.describe()));
        out.printf("Our Kafka settings beyond Kafka Streams' defaults (runs 0 and 2b): %s%n",
            ourKafkaTuning.isEmpty() ? "none (so no run 2b)" : ourKafkaTuning);
        if (!options.overrides().isEmpty()) {
            out.printf("Overrides of our processor's settings (--set): %s%n", options.overrides());
        }

        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("0", "no-op Kafka Streams topology counting records, EOS, our settings (the floor)");
        labels.put("1", "ours, hybrid snapshots, EOS, shipped defaults");
        labels.put("1b", "ours, snapshots off (custom policy), EOS");
        labels.put("2", "DSL groupByKey().aggregate(), EOS, KS defaults");
        labels.put("2b", "DSL aggregate, EOS, our Kafka settings");
        labels.put("3", "plain KafkaConsumer (ceiling)");

        List<Verdict> verdicts = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); Admin admin = BenchKafka.admin(kafka.bootstrapServers())) {
            String bootstrap = kafka.bootstrapServers();
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            for (EventWorkload workload : options.workloads()) {
                long workloadBegan = System.nanoTime();
                out.println();
                out.println("== workload " + workload.describe());
                String topic = "throughput-" + workload.name();
                BenchKafka.createTopic(admin, topic, options.partitions(), false);
                BenchKafka.Produced produced = BenchKafka.produce(bootstrap, registry, topic, workload.events(),
                    workload.stream(BenchKafka.SEED), () -> true);
                BenchKafka.printProduced(out, topic, options.partitions(), produced);
                Map<TopicPartition, Long> ends = BenchKafka.endOffsets(admin, topic, options.partitions());
                long total = BenchKafka.sum(ends);

                Map<String, String> ours = new HashMap<>(shipped);
                ours.put(TopologyConfig.SNAPSHOT_EVERY_EVENTS, Integer.toString(workload.everyEvents()));
                ours.putAll(options.overrides());
                Map<Entry, List<Result>> results = new LinkedHashMap<>();
                entries.forEach(e -> results.put(e, new ArrayList<>()));
                if (workload == options.workloads().get(0)) {
                    // untimed: the JIT compiles ours and the DSL's paths before any timed run, so the
                    // first contender of the first round does not pay for it (on 2 cores it shows)
                    for (String run : List.of("1", "2b")) {
                        if (!runs.contains(run)) {
                            continue;
                        }
                        Entry warm = new Entry(run, 1);
                        String group = "tp-warm-up-" + run + "-" + System.currentTimeMillis();
                        Result result = time(warm, 0, contender(warm, ours, ourKafkaTuning, admin, bootstrap, registry,
                            topic, options.partitions(), total), group, admin, ends, total);
                        out.printf("warm-up (untimed), %-5s %,9.0f ev/s%n", warm.label() + ":", result.eventsPerSecond());
                        BenchKafka.deleteTopicsOf(admin, group);
                        System.gc();
                    }
                }
                for (int round = 1; round <= options.rounds(); round++) {
                    // each round starts with another contender, so the JVM's warm-up (JIT) is not always
                    // paid by the same one
                    List<Entry> order = new ArrayList<>(entries);
                    Collections.rotate(order, -((round - 1) % order.size()));
                    for (Entry entry : order) {
                        Contender contender = contender(entry, ours, ourKafkaTuning, admin, bootstrap, registry, topic,
                            options.partitions(), total);
                        String group = "tp-" + workload.name() + "-" + entry.label().replace('@', '-') + "-r" + round
                            + "-" + System.currentTimeMillis();
                        Result result = time(entry, round, contender, group, admin, ends, total);
                        results.get(entry).add(result);
                        out.printf("%s round %d, %-5s %,9.0f ev/s (%.2f s, start %.2f s), %.2f us stream CPU/event, "
                                + "cores %s, load avg before %.2f%s%n", workload.name(), round, entry.label() + ":",
                            result.eventsPerSecond(), result.seconds(), result.startSeconds(),
                            result.streamMicrosPerEvent(), formatCores(result.cores()), result.loadAverage(),
                            result.snapshots() >= 0 ? String.format(", snapshots %,d (%,.0f/s)", result.snapshots(),
                                result.snapshotsPerSecond()) : "");
                        BenchKafka.deleteTopicsOf(admin, group);
                        System.gc();
                        BenchKafka.sleep(Duration.ofSeconds(1));
                    }
                }
                verdicts.addAll(printSummary(workload, options, ours, labels, results, produced));
                admin.deleteTopics(List.of(topic)).all().get();
                out.printf("workload %s took %.0f s%n", workload.name(), (System.nanoTime() - workloadBegan) / 1e9);
            }
        }
        out.println();
        out.println("== bars (issue 15), side by side in this run, medians of " + options.rounds() + " round(s)");
        verdicts.forEach(v -> out.println(v.line()));
        out.printf("%d of %d hold. Total time %.0f s.%n", verdicts.stream().filter(Verdict::holds).count(),
            verdicts.size(), (System.nanoTime() - began) / 1e9);
    }

    private static Contender contender(Entry entry, Map<String, String> ours, Map<String, String> ourKafkaTuning,
                                       Admin admin, String bootstrap, SchemaRegistryClient registry, String topic,
                                       int partitions, long total) {
        Map<String, String> values = new HashMap<>(ours);
        values.put(ProcessorConfig.KAFKA_PREFIX + StreamsConfig.NUM_STREAM_THREADS_CONFIG,
            Integer.toString(entry.threads()));
        return switch (entry.run()) {
            case "0" -> noOp(bootstrap, topic, ourKafkaTuning, entry.threads());
            case "1" -> (group, stateDir) -> running(startProcessor(admin, bootstrap, registry, topic, partitions, values,
                group, stateDir));
            case "1b" -> {
                values.put(TopologyConfig.SNAPSHOT_POLICY, "custom");
                values.put(TopologyConfig.SNAPSHOT_POLICY_CLASS, NeverSnapshotPolicy.class.getName());
                yield (group, stateDir) -> running(startProcessor(admin, bootstrap, registry, topic, partitions, values,
                    group, stateDir));
            }
            case "2" -> dsl(bootstrap, registry, topic, Map.of(), entry.threads());
            case "2b" -> dsl(bootstrap, registry, topic, ourKafkaTuning, entry.threads());
            case "3" -> plainConsumer(bootstrap, topic, total);
            default -> throw new IllegalArgumentException("unknown run '" + entry.run() + "'");
        };
    }

    private Result time(Entry entry, int round, Contender contender, String group, Admin admin,
                        Map<TopicPartition, Long> ends, long total) throws Exception {
        Path stateDir = Files.createTempDirectory("throughput-" + group + "-");
        try {
            double load = new CpuSampler().loadAverage();
            CpuSampler cpu = new CpuSampler();
            long started = System.nanoTime();
            long deadline = started + RUN_TIMEOUT.toNanos();
            try (Running running = contender.start(group, stateDir)) {
                long ready = -1;
                long committed = 0;
                while (committed < total) {
                    if (ready < 0 && running.ready().getAsBoolean()) {
                        ready = System.nanoTime();
                    }
                    BenchKafka.sleep(POLL);
                    cpu.sample();
                    if (running.failure().get() != null) {
                        throw new IllegalStateException("run " + entry.label() + " failed: " + running.failure().get());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("run " + entry.label() + " committed " + committed + " of "
                            + total + " within " + RUN_TIMEOUT);
                    }
                    committed = BenchKafka.committed(admin, group, ends);
                }
                long ended = System.nanoTime();
                // done before a sample saw it ready: the whole run is the rate's
                long from = ready < 0 ? started : ready;
                return new Result(entry, round, total, (ended - from) / 1e9, (from - started) / 1e9, cpu.coresByRole(),
                    load, running.snapshots().getAsLong());
            }
        } finally {
            BenchKafka.deleteRecursively(stateDir);
        }
    }

    /**
     * Our processor as shipped, with {@code values} over the shipped defaults, folding {@code topic} as
     * application {@code group}: its own snapshot, dead-letter and request topics, created first (as an
     * operator would have them), an HTTP port of its own.
     */
    static ProcessorApp startProcessor(Admin admin, String bootstrap, SchemaRegistryClient registry, String topic,
                                       int partitions, Map<String, String> values, String group, Path stateDir)
            throws Exception {
        Map<String, String> settings = new HashMap<>(values);
        settings.put("kafka.bootstrap.servers", bootstrap);
        settings.put("kafka.application.id", group);
        settings.putIfAbsent("schema.registry.url", "mock://" + group);
        settings.put("kafka.state.dir", stateDir.toString());
        settings.put(TopologyConfig.EVENTS_TOPIC, topic);
        settings.put(TopologyConfig.SNAPSHOTS_TOPIC, group + "-snapshots");
        settings.put(TopologyConfig.DEAD_LETTER_TOPIC, group + "-dlq");
        settings.put(TopologyConfig.SNAPSHOT_REQUESTS_TOPIC, group + "-requests");
        settings.put(ProcessorConfig.TOPICS_PARTITIONS, Integer.toString(partitions));
        settings.put(HttpSettings.HOST, "127.0.0.1");
        settings.put(HttpSettings.PORT, "0");
        ProcessorConfig config = new ProcessorConfig(settings);
        BenchKafka.createTopic(admin, config.snapshotsTopic(), partitions, true);
        BenchKafka.createTopic(admin, config.deadLetterTopic(), partitions, false);
        BenchKafka.createTopic(admin, group + "-requests", partitions, false);
        return ProcessorApp.start(config, registry);
    }

    /**
     * {@code app} as a run: failed once Kafka Streams is, or once it dead-letters an event (every
     * workload's events are good: a rejected one is a fold that did not happen, and the run's figure
     * would be for less work), ready once it is RUNNING, with the snapshots it emitted.
     */
    static Running running(ProcessorApp app) {
        return new Running(app, () -> {
            String failure = stateFailure(app.streams());
            if (failure != null) {
                return failure;
            }
            Collection<Counter> byReason = app.meters().find(FoldMetrics.DEAD_LETTERS).counters();
            double deadLetters = byReason.stream().mapToDouble(Counter::count).sum();
            return deadLetters == 0 ? null : String.format("%,.0f events dead-lettered (%s)", deadLetters,
                byReason.stream().filter(c -> c.count() > 0).map(c -> c.getId().getTag("reason") + " " + (long) c.count())
                    .toList());
        }, () -> app.streams().state() == KafkaStreams.State.RUNNING, () -> snapshotsEmitted(app));
    }

    /** Snapshots {@code app} has emitted (to its snapshot topic), by its own meter. */
    static long snapshotsEmitted(ProcessorApp app) {
        return app.meters().find("snapshotter.snapshot.size").summaries().stream()
            .mapToLong(DistributionSummary::count).sum();
    }

    /** Kafka Streams' settings of a run: {@code tuning}, exactly-once, {@code threads} stream threads. */
    private static Properties streamsProperties(String bootstrap, String group, Path stateDir, Map<String, String> tuning,
                                                int threads) {
        Properties props = new Properties();
        props.putAll(tuning);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, group);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        return props;
    }

    private static Running startStreams(StreamsBuilder builder, Properties props) {
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return new Running(() -> streams.close(Duration.ofSeconds(30)), () -> stateFailure(streams),
            () -> streams.state() == KafkaStreams.State.RUNNING, () -> -1);
    }

    /** A topology that only counts the records it reads: what Kafka Streams costs with exactly-once and no work. */
    private static Contender noOp(String bootstrap, String topic, Map<String, String> tuning, int threads) {
        return (group, stateDir) -> {
            LongAdder counted = new LongAdder();
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("events"))
                .foreach((key, value) -> counted.increment(), Named.as("count"));
            return startStreams(builder, streamsProperties(bootstrap, group, stateDir, tuning, threads));
        };
    }

    /**
     * What a user would write with the DSL: decode the envelope and payload with the same codec, apply
     * the same {@code AggregateFold}, keep the state as Avro bytes in a persistent RocksDB store.
     */
    private static Contender dsl(String bootstrap, SchemaRegistryClient registry, String topic,
                                 Map<String, String> tuning, int threads) {
        return (group, stateDir) -> {
            FoldRegistry folds = FoldRegistry.fromClassPath();
            AvroWireCodec codec = new AvroWireCodec(registry);
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .groupByKey()
                .aggregate(() -> new byte[0], (key, value, state) -> fold(codec, folds, key, value, state),
                    Materialized.<String, byte[]>as(Stores.persistentKeyValueStore("aggregates"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
            return startStreams(builder, streamsProperties(bootstrap, group, stateDir, tuning, threads));
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
        return (group, stateDir) -> {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean assigned = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG, group,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        }

                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                            assigned.set(true);
                        }
                    });
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
            }, failure::get, assigned::get, () -> -1);
        };
    }

    /** Medians over the rounds of one contender, each figure on its own. */
    private record Medians(double eventsPerSecond, double microsPerEvent, double snapshots, double snapshotsPerSecond,
                           double startSeconds, Map<String, Double> cores) {
        static Medians of(List<Result> results) {
            return new Medians(median(results, Result::eventsPerSecond), median(results, Result::streamMicrosPerEvent),
                median(results, Result::snapshots), median(results, Result::snapshotsPerSecond),
                median(results, Result::startSeconds), medianByRate(results).cores());
        }
    }

    private List<Verdict> printSummary(EventWorkload workload, Options options, Map<String, String> ours,
                                       Map<String, String> labels, Map<Entry, List<Result>> results,
                                       BenchKafka.Produced produced) {
        out.println();
        out.printf("%s: %,d events (%.0f B average) over %,d aggregates, %d partitions, exactly-once where it "
                + "applies; ours with %s=%s (policy %s); medians of %d round(s)%n", workload.name(), produced.events(),
            produced.averageBytes(), workload.aggregates(), options.partitions(), TopologyConfig.SNAPSHOT_EVERY_EVENTS,
            ours.get(TopologyConfig.SNAPSHOT_EVERY_EVENTS), ours.get(TopologyConfig.SNAPSHOT_POLICY), options.rounds());
        StringBuilder header = new StringBuilder(String.format("| %-5s | %-58s |", "run", "contender"));
        StringBuilder rule = new StringBuilder("|-------|" + "-".repeat(60) + "|");
        for (int r = 1; r <= options.rounds(); r++) {
            header.append(String.format(" %10s |", "round " + r));
            rule.append("-".repeat(12)).append("|");
        }
        header.append(String.format(" %10s | %8s | %9s | %11s | %7s | %-30s |", "ev/s", "us/event", "snapshots",
            "snapshots/s", "start s", "cores: stream/io/jvm/brk/all"));
        rule.append("-".repeat(12)).append("|").append("-".repeat(10)).append("|").append("-".repeat(11)).append("|")
            .append("-".repeat(13)).append("|").append("-".repeat(9)).append("|").append("-".repeat(32)).append("|");
        out.println(header);
        out.println(rule);
        Map<String, Medians> medians = new LinkedHashMap<>();
        results.forEach((entry, list) -> {
            Medians m = Medians.of(list);
            medians.put(entry.label(), m);
            StringBuilder row = new StringBuilder(String.format("| %-5s | %-58s |", entry.label(),
                truncate(labels.get(entry.run()), 58)));
            for (Result r : list) {
                row.append(String.format(" %,10.0f |", r.eventsPerSecond()));
            }
            row.append(String.format(" %,10.0f | %8.2f | %9s | %11s | %7.2f | %-30s |", m.eventsPerSecond(),
                m.microsPerEvent(), Double.isNaN(m.snapshotsPerSecond()) ? "-" : String.format("%,.0f", m.snapshots()),
                Double.isNaN(m.snapshotsPerSecond()) ? "-" : String.format("%,.0f", m.snapshotsPerSecond()),
                m.startSeconds(), formatCores(m.cores())));
            out.println(row);
        });
        out.println("ev/s: events over the time from ready (Kafka Streams RUNNING, the consumer assigned) until every "
            + "offset is committed; start s: from the application's start to ready; us/event: CPU time of the stream "
            + "threads, all summed (run 3: the consumer thread), per event; cores: CPU seconds per second of the stream "
            + "threads, client I/O threads, JVM (GC, JIT), broker and the whole process, at the median run.");

        out.println();
        List<Verdict> verdicts = new ArrayList<>();
        for (int threads : options.threads()) {
            String t = "@" + threads + "t";
            Medians one = medians.get("1" + t);
            ratio(medians, "1" + t, "2" + t, "ours / DSL (KS defaults), events/s", Medians::eventsPerSecond);
            ratio(medians, "1" + t, "3", "ours / plain consumer, events/s", Medians::eventsPerSecond);
            if (one != null && medians.containsKey("2b" + t)) {
                Medians dsl = medians.get("2b" + t);
                verdicts.add(new Verdict(workload.name(), "1" + t + " / 2b" + t + " events/s",
                    one.eventsPerSecond() / dsl.eventsPerSecond(), SPEEDUP_BAR, true));
                verdicts.add(new Verdict(workload.name(), "2b" + t + " / 1" + t + " stream CPU per event",
                    dsl.microsPerEvent() / one.microsPerEvent(), SPEEDUP_BAR, true));
            }
            if (one != null && medians.containsKey("0" + t)) {
                double share = one.eventsPerSecond() / medians.get("0" + t).eventsPerSecond();
                if (workload.name().equals("uniform")) {
                    verdicts.add(new Verdict(workload.name(), "1" + t + " / 0" + t + " events/s (share of the floor)",
                        share, FLOOR_SHARE_BAR, true));
                } else {
                    out.printf("%-14s %-45s %.2f%n", "1" + t + "/0" + t, "share of the floor, events/s", share);
                }
            }
            if (one != null && medians.containsKey("1b" + t)) {
                verdicts.add(new Verdict(workload.name(), "1b" + t + " / 1" + t + " events/s (snapshots off / on)",
                    medians.get("1b" + t).eventsPerSecond() / one.eventsPerSecond(), SNAPSHOT_OVERHEAD_BAR, false));
            }
            if (one != null) {
                Map<String, Double> cores = one.cores();
                out.printf("1%s: the stream threads used %.2f cores (of %d threads), the broker %.2f, the whole JVM "
                        + "%.2f of %d cores%n", t, cores.get(CpuSampler.STREAM), threads, cores.get(CpuSampler.BROKER),
                    cores.get("process"), Runtime.getRuntime().availableProcessors());
            }
        }
        if (options.threads().size() > 1) {
            int first = options.threads().get(0);
            for (int threads : options.threads().subList(1, options.threads().size())) {
                for (String run : List.of("0", "1", "2b")) {
                    ratio(medians, run + "@" + threads + "t", run + "@" + first + "t",
                        "scaling " + first + " -> " + threads + " stream threads, events/s", Medians::eventsPerSecond);
                }
            }
        }
        verdicts.forEach(v -> out.println(v.line()));
        return verdicts;
    }

    private void ratio(Map<String, Medians> medians, String a, String b, String what, ToDoubleFunction<Medians> figure) {
        if (medians.containsKey(a) && medians.containsKey(b)) {
            out.printf("%-14s %-45s %.2f%n", a + "/" + b, what,
                figure.applyAsDouble(medians.get(a)) / figure.applyAsDouble(medians.get(b)));
        }
    }

    private static double median(List<Result> list, ToDoubleFunction<Result> figure) {
        return list.stream().mapToDouble(figure).sorted().skip(list.size() / 2).findFirst().orElse(Double.NaN);
    }

    private static Result medianByRate(List<Result> list) {
        List<Result> sorted = new ArrayList<>(list);
        sorted.sort((x, y) -> Double.compare(x.eventsPerSecond(), y.eventsPerSecond()));
        return sorted.get(sorted.size() / 2);
    }

    static String formatCores(Map<String, Double> cores) {
        return String.format("%.2f/%.2f/%.2f/%.2f/%.2f", cores.get(CpuSampler.STREAM) + cores.get(CpuSampler.CONSUMER),
            cores.get(CpuSampler.CLIENT_IO), cores.get(CpuSampler.JVM), cores.get(CpuSampler.BROKER),
            cores.get("process"));
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
