package io.snapshotter.benchmarks;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.query.Instance;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.topology.SnapshotTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A load check of {@code GET /aggregates/{aggregateId}}, not a test: an in-JVM broker, two processor
 * instances with the same application id (the shipped defaults of {@code config/application.properties}
 * when run from the project root), N aggregates loaded; then lookups on instance A of keys it owns
 * (answered locally) and of keys instance B owns (forwarded to B), each measured for a while after a
 * warm-up, first on idle instances, then while both fold at full speed: a producer keeps adding
 * events to the same aggregates as fast as the broker takes them, so the stream threads always have a
 * backlog. Load comes from {@code wrk} when it is installed (a Lua script picks random ids), else from
 * a Java load generator. Prints a table of throughput and latency percentiles, with the fold rate
 * during each measurement.
 */
public final class LookupBenchmark {

    /**
     * @param aggregates  aggregates loaded (items {@code item-00000} ...)
     * @param events      events in total, spread over them at random
     * @param duration    how long each measurement runs, after a warm-up of a fifth of it
     * @param connections concurrent connections (and threads of the Java generator)
     * @param useWrk      use wrk when it is installed
     */
    public record Options(int aggregates, int events, Duration duration, int connections, boolean useWrk,
                          List<Load> loads) {
        public static Options defaults() {
            return new Options(10_000, 50_000, Duration.ofSeconds(10), 16, true, List.of(Load.IDLE, Load.FOLDING));
        }

    }

    /**
     * {@code lookups [--aggregates N] [--events N] [--seconds N] [--connections N] [--no-wrk]
     * [--idle-only] [--under-load-only]}, defaults from {@link Options#defaults()}.
     */
    @Command(name = "lookups", sortOptions = false, sortSynopsis = false,
        description = "Latency and throughput of GET /aggregates/{id} on two instances, local and forwarded, "
            + "idle and while folding.")
    static final class Cli implements Callable<Integer> {
        private static final Options DEFAULTS = Options.defaults();

        @Mixin
        BenchMain.Help help;

        @Option(names = "--aggregates", paramLabel = "N",
            description = "Aggregates loaded (default: ${DEFAULT-VALUE}).")
        int aggregates = DEFAULTS.aggregates();

        @Option(names = "--events", paramLabel = "N",
            description = "Events in total, spread over them at random (default: ${DEFAULT-VALUE}).")
        int events = DEFAULTS.events();

        @Option(names = "--seconds", paramLabel = "N",
            description = "Seconds each measurement runs, after a warm-up of a fifth of it (default: ${DEFAULT-VALUE}).")
        long seconds = DEFAULTS.duration().toSeconds();

        @Option(names = "--connections", paramLabel = "N",
            description = "Concurrent connections, and threads of the Java load generator (default: ${DEFAULT-VALUE}).")
        int connections = DEFAULTS.connections();

        @Option(names = "--no-wrk", description = "Use the Java load generator even when wrk is installed.")
        boolean noWrk;

        @Option(names = "--idle-only", description = "Measure only while the instances are idle.")
        boolean idleOnly;

        @Option(names = "--under-load-only", description = "Measure only while the instances are folding.")
        boolean underLoadOnly;

        @Override
        public Integer call() throws Exception {
            List<Load> loads = idleOnly ? List.of(Load.IDLE) : underLoadOnly ? List.of(Load.FOLDING) : DEFAULTS.loads();
            new LookupBenchmark(System.out).run(new Options(aggregates, events, Duration.ofSeconds(seconds), connections,
                DEFAULTS.useWrk() && !noWrk, loads));
            return 0;
        }
    }

    /** What the instances do besides answering lookups. */
    enum Load {
        IDLE("idle"), FOLDING("folding");

        final String label;

        Load(String label) {
            this.label = label;
        }
    }

    /**
     * One measurement: requests answered, non-200 answers, throughput and latency percentiles in
     * microseconds, and the events folded per second meanwhile (committed by the application).
     */
    record Result(String name, String generator, long requests, long errors, double seconds, long p50, long p90,
                  long p99, long p999, long max, Load load, double foldedPerSecond) {

        Result during(Load load, double foldedPerSecond) {
            return new Result(name, generator, requests, errors, seconds, p50, p90, p99, p999, max, load,
                foldedPerSecond);
        }
    }

    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(3);
    private static final String STATE_DIR_PREFIX = "lookup-bench-";

    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public LookupBenchmark(PrintStream out) {
        this.out = out;
    }


    public void run(Options options) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); Admin admin = BenchKafka.admin(kafka.bootstrapServers())) {
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            String prefix = "bench-" + System.currentTimeMillis();
            ProcessorConfig configA = config(kafka, prefix);
            ProcessorConfig configB = config(kafka, prefix);
            try (ProcessorApp a = ProcessorApp.start(configA, registry);
                 ProcessorApp b = ProcessorApp.start(configB, registry)) {
                URI base = a.httpAddress().orElseThrow();
                out.printf("Two instances of '%s' on an in-JVM broker: A at %s, B at %s%n", prefix, base,
                    b.httpAddress().orElseThrow());
                out.printf("Settings: %s%n", ThroughputBenchmark.DEFAULTS_FILE.toFile().isFile()
                    ? "shipped defaults (" + ThroughputBenchmark.DEFAULTS_FILE + ")" : "built-in defaults");
                waitUntilRunning(a, b);
                SampleInventoryStream stream = BenchKafka.sampleStream(options.aggregates(), BenchKafka.SEED);
                BenchKafka.produce(kafka.bootstrapServers(), registry, configA.eventsTopic(), options.events(), stream::next,
                    () -> true);
                List<String> ids = idsIn(options.aggregates(), options.events());
                waitUntilReadable(base, ids);
                List<String> local = new ArrayList<>();
                List<String> forwarded = new ArrayList<>();
                Instance self = a.instance().orElseThrow();
                for (String id : ids) {
                    var owner = a.streams().queryMetadataForKey(SnapshotTopology.AGGREGATES_STORE, id, new StringSerializer())
                        .activeHost();
                    (owner.host().equals(self.host()) && owner.port() == self.port() ? local : forwarded).add(id);
                }
                out.printf("%d aggregates from %d events: %d owned by A (local lookups), %d by B (forwarded by A)%n",
                    ids.size(), options.events(), local.size(), forwarded.size());
                boolean wrk = options.useWrk() && wrkInstalled();
                out.printf("Load: %s, %d connections, %s per measurement after a %s warm-up, %d cores%n",
                    wrk ? "wrk" : options.useWrk() ? "Java load generator (wrk not installed)" : "Java load generator",
                    options.connections(), options.duration(),
                    warmUp(options), Runtime.getRuntime().availableProcessors());
                Map<TopicPartition, Long> partitions = BenchKafka.endOffsets(admin, configA.eventsTopic(),
                    configA.getInt(ProcessorConfig.TOPICS_PARTITIONS));
                List<Result> results = new ArrayList<>();
                for (Load load : options.loads()) {
                    AtomicBoolean producing = new AtomicBoolean(load == Load.FOLDING);
                    AtomicReference<Throwable> producerFailure = new AtomicReference<>();
                    Thread producer = new Thread(() -> {
                        try {
                            BenchKafka.produce(kafka.bootstrapServers(), registry, configA.eventsTopic(), Long.MAX_VALUE,
                                stream::next, producing::get);
                        } catch (RuntimeException e) {
                            producerFailure.set(e);
                        }
                    }, "bench-load-producer");
                    if (load == Load.FOLDING) {
                        producer.start();
                        out.println("Producing events as fast as the broker takes them, both instances folding ...");
                        BenchKafka.sleep(Duration.ofSeconds(3));
                    }
                    try {
                        results.add(measure("local (A owns the key)", base, local, options, wrk, load, admin, prefix,
                            partitions));
                        results.add(measure("forwarded (A asks B)", base, forwarded, options, wrk, load, admin, prefix,
                            partitions));
                    } finally {
                        producing.set(false);
                        if (load == Load.FOLDING) {
                            producer.join();
                        }
                    }
                    if (producerFailure.get() != null) {
                        throw new IllegalStateException("the load producer failed", producerFailure.get());
                    }
                }
                printTable(results);
            } finally {
                deleteRecursively(Path.of(configA.streamsProperties().getProperty("state.dir")));
                deleteRecursively(Path.of(configB.streamsProperties().getProperty("state.dir")));
            }
        }
    }

    /** The aggregates the first {@code events} events of the sample stream create. */
    private static List<String> idsIn(int aggregates, int events) {
        SampleInventoryStream stream = BenchKafka.sampleStream(aggregates, BenchKafka.SEED);
        java.util.TreeSet<String> ids = new java.util.TreeSet<>();
        for (int i = 0; i < events; i++) {
            ids.add(stream.next().aggregateId());
        }
        return List.copyOf(ids);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static ProcessorConfig config(EmbeddedKafka kafka, String prefix) throws IOException {
        Map<String, String> values = new HashMap<>(ConfigSources.load(ThroughputBenchmark.DEFAULTS_FILE, null, Map.of()).values());
        values.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        values.put("kafka.application.id", prefix);
        values.put("kafka.state.dir", Files.createTempDirectory(STATE_DIR_PREFIX).toString());
        values.put("schema.registry.url", "mock://bench");
        values.put("topic.events", prefix + "-events");
        values.put("topic.snapshots", prefix + "-snapshots");
        values.put("topic.dead.letters", prefix + "-dlq");
        values.put("topic.snapshot.requests", prefix + "-snapshot-requests");
        values.put("topics.partitions", "6");
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        values.put("http.threads", "32");
        return new ProcessorConfig(values);
    }

    private void waitUntilRunning(ProcessorApp... apps) throws InterruptedException {
        long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
        while (!Arrays.stream(apps).allMatch(app -> app.streams().state() == KafkaStreams.State.RUNNING)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the instances did not reach RUNNING within " + LOAD_TIMEOUT);
            }
            Thread.sleep(100);
        }
    }

    /** Waits until every aggregate answers 200 on {@code base}, the folds having caught up. */
    private void waitUntilReadable(URI base, List<String> ids) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
        for (String id : ids) {
            while (get(base, id) != 200) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(id + " not readable within " + LOAD_TIMEOUT);
                }
                Thread.sleep(50);
            }
        }
    }

    private int get(URI base, String id) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve("/aggregates/" + id)).GET().build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private Result measure(String name, URI base, List<String> ids, Options options, boolean wrk, Load load,
                           Admin admin, String group, Map<TopicPartition, Long> partitions) throws Exception {
        long[] start = new long[2];
        Result result = measure(name, base, ids, options, wrk, () -> {
            start[0] = BenchKafka.committed(admin, group, partitions);
            start[1] = System.nanoTime();
        });
        double seconds = (System.nanoTime() - start[1]) / 1e9;
        long folded = BenchKafka.committed(admin, group, partitions) - start[0];
        return result.during(load, folded / seconds);
    }

    /** A hook run when the warm-up is over and the measured part begins. */
    private interface Step {
        void run() throws Exception;
    }

    private Result measure(String name, URI base, List<String> ids, Options options, boolean wrk, Step measuredStart)
            throws Exception {
        if (wrk) {
            Path idsFile = Files.createTempFile("lookup-ids-", ".txt");
            Path script = Files.createTempFile("lookups-", ".lua");
            try {
                Files.write(idsFile, ids, StandardCharsets.UTF_8);
                try (var in = LookupBenchmark.class.getResourceAsStream("lookups.lua")) {
                    Files.write(script, in.readAllBytes());
                }
                runWrk(base, idsFile, script, options.connections(), warmUp(options));
                measuredStart.run();
                return parseWrk(name, runWrk(base, idsFile, script, options.connections(), options.duration()));
            } finally {
                Files.deleteIfExists(idsFile);
                Files.deleteIfExists(script);
            }
        }
        javaLoad(base, ids, options.connections(), warmUp(options));
        measuredStart.run();
        return javaLoadResult(name, javaLoad(base, ids, options.connections(), options.duration()), options.duration());
    }

    private static Duration warmUp(Options options) {
        return options.duration().dividedBy(5);
    }

    private static boolean wrkInstalled() {
        try {
            Process process = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            process.waitFor();
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String runWrk(URI base, Path ids, Path script, int connections, Duration duration)
            throws IOException, InterruptedException {
        int threads = Math.max(1, Math.min(connections, Runtime.getRuntime().availableProcessors()));
        Process process = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + Math.max(1, duration.toSeconds()) + "s",
            "--timeout", "10s", "-s", script.toString(), base.toString(), "--", ids.toString())
            .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + output);
        }
        return output;
    }

    private static final Pattern WRK_RESULT = Pattern.compile("RESULT (.*)");

    private static Result parseWrk(String name, String output) {
        Matcher matcher = WRK_RESULT.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no RESULT line in wrk's output:\n" + output);
        }
        Map<String, Long> values = new HashMap<>();
        for (String pair : matcher.group(1).trim().split(" ")) {
            String[] kv = pair.split("=");
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        long errors = values.get("status") + values.get("connect") + values.get("read") + values.get("write")
            + values.get("timeout");
        return new Result(name, "wrk", values.get("requests"), errors, values.get("duration_us") / 1e6,
            values.get("p50"), values.get("p90"), values.get("p99"), values.get("p999"), values.get("max"), Load.IDLE, 0);
    }

    /** Latencies in nanoseconds of {@code connections} closed-loop clients for {@code duration}, and the error count. */
    private record JavaLoad(long[] latencies, long errors) {
    }

    private JavaLoad javaLoad(URI base, List<String> ids, int connections, Duration duration) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(connections);
        long end = System.nanoTime() + duration.toNanos();
        try {
            List<Future<JavaLoad>> futures = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                futures.add(clients.submit(() -> {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    long[] latencies = new long[1 << 16];
                    int n = 0;
                    long errors = 0;
                    while (System.nanoTime() < end) {
                        String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                        long started = System.nanoTime();
                        int status = client.send(HttpRequest.newBuilder(base.resolve("/aggregates/" + id)).GET().build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (n == latencies.length) {
                            latencies = Arrays.copyOf(latencies, n * 2);
                        }
                        latencies[n++] = System.nanoTime() - started;
                        errors += status == 200 ? 0 : 1;
                    }
                    return new JavaLoad(Arrays.copyOf(latencies, n), errors);
                }));
            }
            List<long[]> all = new ArrayList<>();
            long errors = 0;
            for (Future<JavaLoad> future : futures) {
                all.add(future.get().latencies());
                errors += future.get().errors();
            }
            long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            return new JavaLoad(merged, errors);
        } finally {
            clients.shutdownNow();
        }
    }

    private static Result javaLoadResult(String name, JavaLoad load, Duration duration) {
        long[] sorted = load.latencies();
        return new Result(name, "java", sorted.length, load.errors(), duration.toNanos() / 1e9,
            percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 99.9),
            sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1_000, Load.IDLE, 0);
    }

    private static long percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(index, sortedNanos.length - 1))] / 1_000;
    }

    private void printTable(List<Result> results) {
        out.println();
        out.printf("| %-24s | %-9s | %-9s | %9s | %6s | %10s | %8s | %8s | %8s | %8s | %8s | %13s |%n", "lookups",
            "instances", "generator", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms",
            "folded ev/s");
        out.println("|" + "-".repeat(26) + "|" + "-".repeat(11) + "|" + "-".repeat(11) + "|" + "-".repeat(11) + "|"
            + "-".repeat(8) + "|" + "-".repeat(12) + ("|" + "-".repeat(10)).repeat(5) + "|" + "-".repeat(15) + "|");
        for (Result r : results) {
            out.printf("| %-24s | %-9s | %-9s | %9d | %6d | %10.0f | %8.2f | %8.2f | %8.2f | %8.2f | %8.2f | %13.0f |%n",
                r.name(), r.load().label, r.generator(), r.requests(), r.errors(), r.requests() / r.seconds(),
                r.p50() / 1e3, r.p90() / 1e3, r.p99() / 1e3, r.p999() / 1e3, r.max() / 1e3, r.foldedPerSecond());
        }
    }
}
