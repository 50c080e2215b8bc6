package io.snapshotter.benchmarks;

import io.snapshotter.http.HttpSettings;
import io.snapshotter.topology.TopologyConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.topology.FoldRegistry;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.replay.Replay;
import io.snapshotter.replay.ReplayOptions;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import java.util.LinkedHashMap;

/**
 * Recovery: how long an instance whose local disk is empty takes until it serves the correct state
 * of A aggregates, three ways. On an in-JVM broker, E sample events over A aggregates are produced
 * once and folded once by our processor ({@link ProcessorApp}, the shipped defaults of
 * {@code config/application.properties} with a hybrid policy of N = {@code --every} events, so every
 * aggregate has a few count snapshots); once its committed offsets reach the end, its whole
 * {@code aggregates} store is read back (interactive queries) as the expected state, aggregateId to
 * (version, state bytes), checked against the last sequence of each aggregate in the sample stream,
 * and the instance is closed. Then, each time on a new, empty state directory and with the same
 * application id:
 * <ol>
 *   <li><b>changelog restore</b>: {@link ProcessorApp#start} until Kafka Streams is {@code RUNNING}
 *       (it restores the store from its changelog first); the time to serve is that time;
 *   <li><b>replay seeded from snapshots</b>: {@link Replay} from T = the timestamp of the newest
 *       event, seeds read from the snapshots topic (so each aggregate starts from its newest
 *       snapshot: rebuilding a lost instance), then {@link ProcessorApp#start} on the state the
 *       replay left until {@code RUNNING}; the time to serve is the replay's run (reset, seeds, fold,
 *       close) plus that start;
 *   <li><b>full replay</b>: the same with {@link ReplayOptions#full()}, every event folded again.
 * </ol>
 * Each time to serve ends at {@code RUNNING} (state polled every 10 ms); then, untimed, every one of
 * the A aggregates is read from the store and compared with the expected version and state bytes,
 * and the store must hold no other aggregate: a mismatch fails the benchmark (an exception, exit
 * status 1) instead of printing a figure for a wrong state.
 *
 * <p>Snapshots run on stream time ({@code snapshot.clock=stream-time}): the time trigger (T of the
 * shipped defaults, 1 h) then depends on the record timestamps alone, which span the few seconds of
 * producing, so only count snapshots are taken, at the same versions in every run and every replay,
 * and the seeded replay's work does not depend on how long a run took.
 *
 * <p>A seeded replay starts each partition at its first event that no seed holds, so one aggregate
 * with fewer than N events (no snapshot, no seed) makes it read its partition from that aggregate's
 * first event on; the events it reads that a seed holds are skipped as duplicates, not folded. The
 * table shows both: events read (the replay's own count) and events folded past the seeds (what the
 * seeded aggregates have pending afterwards).
 */
public final class RecoveryBenchmark {

    private static final Duration POLL = Duration.ofMillis(10);
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern REPLAY_PROGRESS = Pattern.compile("^replay: [\\d,]+ / [\\d,]+ events .*");

    /** Command-line options. */
    record Options(int aggregates, long events, int partitions, int every, Map<String, String> overrides) {
    }

    /** {@code recovery [--aggregates N] [--events N] [--partitions N] [--every N] [--set key=value]...} */
    @Command(name = "recovery", sortOptions = false, sortSynopsis = false,
        description = "Time until an instance with an empty state directory serves the correct state: changelog "
            + "restore, replay seeded from snapshots, full replay.")
    static final class Cli implements Callable<Integer> {
        @Mixin
        BenchMain.Help help;

        @Option(names = "--aggregates", paramLabel = "N", defaultValue = "20000",
            description = "Aggregates the events are spread over (default: ${DEFAULT-VALUE}).")
        int aggregates;

        @Option(names = "--events", paramLabel = "N", defaultValue = "1000000",
            description = "Events produced to the topic (default: ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of the events topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--every", paramLabel = "N", defaultValue = "25",
            description = "A snapshot every N events of an aggregate (default: ${DEFAULT-VALUE}).")
        int every;

        @Option(names = "--set", paramLabel = "key=value",
            description = "A setting of our processor, over the shipped ones (repeatable).")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            new RecoveryBenchmark(System.out).run(new Options(aggregates, events, partitions, every, overrides));
            return 0;
        }
    }

    /** What an aggregate must look like once recovered (version, state bytes), and when its last event happened. */
    private record Expected(long version, byte[] state, long lastEventTimestamp) {
    }

    /** What verifying a recovered store found: aggregates checked, and events folded past their seed. */
    private record Verified(int aggregates, long eventsSinceSnapshot, double seconds) {
    }

    /** One recovery method's figures; -1 where a figure does not apply. */
    private record Result(String method, double serveSeconds, double replaySeconds, double resetSeconds,
                          double foldSeconds, double startSeconds, double verifySeconds, long changelogRecords,
                          long eventsRead, long eventsFolded, long seeds, int verified, double loadAverage) {
    }

    private final PrintStream out;

    public RecoveryBenchmark(PrintStream out) {
        this.out = out;
    }


    public void run(Options options) throws Exception {
        Map<String, String> shipped = ThroughputBenchmark.shippedDefaults();
        String appId = "recovery-" + System.currentTimeMillis();
        out.printf("recovery: %,d events over %,d aggregates, %d partitions, hybrid snapshots N=%d on stream time; "
                + "%d cores, Java %s%n", options.events(), options.aggregates(), options.partitions(), options.every(),
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        if (!options.overrides().isEmpty()) {
            out.printf("Overrides of our processor's settings (--set): %s%n", options.overrides());
        }
        Path root = Files.createTempDirectory("recovery-bench-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); Admin admin = BenchKafka.admin(kafka.bootstrapServers())) {
            String bootstrap = kafka.bootstrapServers();
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            Map<String, String> values = settings(shipped, options, bootstrap, appId);
            ProcessorConfig first = config(values, root.resolve("fold"));

            BenchKafka.createTopic(admin, first.eventsTopic(), options.partitions(), false);
            BenchKafka.Produced produced = BenchKafka.produce(bootstrap, registry, first.eventsTopic(), options.events(),
                BenchKafka.sampleStream(options.aggregates(), BenchKafka.SEED)::next, () -> true);
            BenchKafka.printProduced(out, first.eventsTopic(), options.partitions(), produced);
            Map<TopicPartition, Long> ends = BenchKafka.endOffsets(admin, first.eventsTopic(), options.partitions());
            long total = BenchKafka.sum(ends);
            if (total != options.events()) {
                throw new IllegalStateException("the events topic holds " + total + " events, not " + options.events());
            }

            Map<String, Expected> expected = foldOnce(first, registry, admin, ends, total);
            checkAgainstStream(expected, options);
            Instant newest = newestEvent(expected);

            List<Result> results = new ArrayList<>();
            results.add(restore(config(values, root.resolve("restore")), registry, admin, bootstrap, expected));
            results.add(replay("replay seeded from snapshots", config(values, root.resolve("seeded")), registry,
                ReplayOptions.from(newest, ReplayOptions.SeedSource.TOPIC), expected));
            results.add(replay("full replay", config(values, root.resolve("full")), registry, ReplayOptions.full(),
                expected));
            printTable(options, produced, newest, results);
        } finally {
            BenchKafka.deleteRecursively(root);
        }
    }

    /** The shipped defaults with this run's topics, application id, policy and overrides. */
    private static Map<String, String> settings(Map<String, String> shipped, Options options, String bootstrap,
                                                String appId) {
        Map<String, String> values = new HashMap<>(shipped);
        values.put("kafka.bootstrap.servers", bootstrap);
        values.put("kafka.application.id", appId);
        values.put("schema.registry.url", "mock://recovery-bench");
        values.put(TopologyConfig.EVENTS_TOPIC, appId + "-events");
        values.put(TopologyConfig.SNAPSHOTS_TOPIC, appId + "-snapshots");
        values.put(TopologyConfig.DEAD_LETTER_TOPIC, appId + "-dlq");
        values.put(TopologyConfig.SNAPSHOT_REQUESTS_TOPIC, appId + "-snapshot-requests");
        values.put(ProcessorConfig.TOPICS_PARTITIONS, Integer.toString(options.partitions()));
        values.put(TopologyConfig.SNAPSHOT_POLICY, "hybrid");
        values.put(TopologyConfig.SNAPSHOT_EVERY_EVENTS, Integer.toString(options.every()));
        values.put(TopologyConfig.SNAPSHOT_CLOCK, "stream-time");
        values.put(HttpSettings.HOST, "127.0.0.1");
        values.put(HttpSettings.PORT, "0");
        values.putAll(options.overrides());
        return values;
    }

    private static ProcessorConfig config(Map<String, String> values, Path stateDir) throws Exception {
        Files.createDirectories(stateDir);
        Map<String, String> withDir = new HashMap<>(values);
        withDir.put("kafka.state.dir", stateDir.toString());
        return new ProcessorConfig(withDir);
    }

    /** Events per second of the first fold, the live one (start included). */
    private double liveFoldRate;

    /** Folds every event once and reads the store back: the state every recovery must reach. */
    private Map<String, Expected> foldOnce(ProcessorConfig config, InMemorySchemaRegistry registry, Admin admin,
                                           Map<TopicPartition, Long> ends, long total) throws Exception {
        long started = System.nanoTime();
        try (ProcessorApp app = ProcessorApp.start(config, registry)) {
            long deadline = started + PHASE_TIMEOUT.toNanos();
            long committed = 0;
            while (committed < total) {
                BenchKafka.sleep(Duration.ofMillis(100));
                requireAlive(app, "the first fold");
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the first fold committed " + committed + " of " + total
                        + " events within " + PHASE_TIMEOUT);
                }
                committed = BenchKafka.committed(admin, config.applicationId(), ends);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            liveFoldRate = total / seconds;
            Map<String, Expected> expected = new HashMap<>();
            try (KeyValueIterator<String, AggregateRecord> all = app.aggregates(PHASE_TIMEOUT).all()) {
                all.forEachRemaining(kv -> expected.put(kv.key, new Expected(kv.value.getVersion(),
                    bytes(kv.value.getState()), kv.value.getLastEventTimestamp())));
            }
            Map<String, Long> snapshots = snapshotsByReason(app);
            out.printf("Folded once in %.1f s (%,.0f ev/s, start included): %,d aggregates; snapshots taken: %s%n",
                seconds, total / seconds, expected.size(), snapshots);
            if (snapshots.getOrDefault(SnapshotReason.TIME.name(), 0L) > 0) {
                out.println("  (time snapshots were taken: seeds are then not all at multiples of N)");
            }
            return expected;
        }
    }

    /** Every aggregate of the sample stream at its last sequence, and no other: the first fold was complete. */
    private void checkAgainstStream(Map<String, Expected> expected, Options options) {
        SampleInventoryStream stream = BenchKafka.sampleStream(options.aggregates(), BenchKafka.SEED);
        Map<String, Long> last = new HashMap<>();
        for (long i = 0; i < options.events(); i++) {
            SampleInventoryStream.SampleEvent e = stream.next();
            last.put(e.aggregateId(), e.sequence());
        }
        List<String> wrong = new ArrayList<>();
        last.forEach((id, sequence) -> {
            Expected got = expected.get(id);
            if (got == null || got.version() != sequence) {
                wrong.add(id + " at " + (got == null ? "nothing" : "version " + got.version()) + ", not " + sequence);
            }
        });
        if (!wrong.isEmpty() || expected.size() != last.size()) {
            throw new IllegalStateException("the first fold is not the sample stream's: " + wrong.size()
                + " aggregates wrong (" + wrong.stream().sorted().limit(5).toList() + "), " + expected.size()
                + " in the store for " + last.size() + " in the stream");
        }
        out.printf("Checked: the store holds the %,d aggregates of the sample stream, each at its last sequence%n",
            last.size());
    }

    /** The event time of the newest event: every aggregate's last event time, the latest of them. */
    private static Instant newestEvent(Map<String, Expected> expected) {
        return Instant.ofEpochMilli(expected.values().stream().mapToLong(Expected::lastEventTimestamp).max()
            .orElseThrow());
    }

    private Result restore(ProcessorConfig config, InMemorySchemaRegistry registry, Admin admin, String bootstrap,
                           Map<String, Expected> expected) throws Exception {
        out.println();
        out.println("1. Changelog restore: an instance on an empty state directory, same application id");
        double load = new CpuSampler().loadAverage();
        long started = System.nanoTime();
        try (ProcessorApp app = ProcessorApp.start(config, registry)) {
            awaitRunning(app, "the restoring instance");
            double serve = (System.nanoTime() - started) / 1e9;
            Verified verified = verify("changelog restore", app, expected);
            Map<String, Long> changelogs = changelogRecords(admin, bootstrap, config.applicationId());
            long records = changelogs.values().stream().mapToLong(Long::longValue).sum();
            out.printf("   RUNNING after %.2f s, having restored the changelogs %s; %,d aggregates verified in %.2f s%n",
                serve, changelogs, verified.aggregates(), verified.seconds());
            return new Result("changelog restore", serve, -1, -1, -1, serve, verified.seconds(), records, -1, 0, -1,
                verified.aggregates(), load);
        }
    }

    private Result replay(String method, ProcessorConfig config, InMemorySchemaRegistry registry, ReplayOptions options,
                          Map<String, Expected> expected) throws Exception {
        out.println();
        out.printf("%s. %s: replay on an empty state directory (%s), then an instance on the state it left%n",
            options.from().isPresent() ? "2" : "3", capitalized(method),
            options.from().map(t -> "seeds: the newest snapshot at or before " + t + " of each aggregate, from "
                + "the snapshots topic").orElse("from the earliest offsets"));
        double load = new CpuSampler().loadAverage();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Replay.Result replayed;
        long started = System.nanoTime();
        try {
            replayed = new Replay(config, registry, FoldRegistry.fromClassPath(),
                new PrintStream(log, true, StandardCharsets.UTF_8), false).run(options);
        } catch (RuntimeException | InterruptedException e) {
            out.print(log.toString(StandardCharsets.UTF_8));
            throw e;
        }
        double replaySeconds = (System.nanoTime() - started) / 1e9;
        for (String line : log.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank() && !REPLAY_PROGRESS.matcher(line).matches()) {
                out.println("   " + line);
            }
        }
        long restarted = System.nanoTime();
        try (ProcessorApp app = ProcessorApp.start(config, registry)) {
            awaitRunning(app, "the instance after the " + method);
            double start = (System.nanoTime() - restarted) / 1e9;
            Verified verified = verify(method, app, expected);
            // a seeded aggregate starts with nothing pending: what it has pending is what was folded past its seed
            long folded = options.from().isPresent() ? verified.eventsSinceSnapshot() : replayed.eventsReplayed();
            out.printf("   replay %.2f s (reset %.2f s, fold %.2f s), then RUNNING after %.2f s: %.2f s to serve; "
                    + "%,d aggregates verified in %.2f s%n", replaySeconds, replayed.resetTime().toMillis() / 1e3,
                replayed.foldTime().toMillis() / 1e3, start, replaySeconds + start, verified.aggregates(),
                verified.seconds());
            return new Result(method, replaySeconds + start, replaySeconds, replayed.resetTime().toMillis() / 1e3,
                replayed.foldTime().toMillis() / 1e3, start, verified.seconds(), -1, replayed.eventsReplayed(), folded,
                replayed.seeds(), verified.aggregates(), load);
        }
    }

    /** Waits for Kafka Streams' RUNNING, polling every 10 ms; fails if it stops or fails first. */
    private static void awaitRunning(ProcessorApp app, String what) {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        while (app.streams().state() != KafkaStreams.State.RUNNING) {
            requireAlive(app, what);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not reach RUNNING within " + PHASE_TIMEOUT);
            }
            BenchKafka.sleep(POLL);
        }
    }

    private static void requireAlive(ProcessorApp app, String what) {
        KafkaStreams.State state = app.streams().state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
            throw new IllegalStateException(what + ": Kafka Streams is " + state + "; see the log");
        }
    }

    /**
     * Compares every expected aggregate with the store (version and state bytes) and requires the store
     * to hold no other; throws on any difference.
     */
    private static Verified verify(String method, ProcessorApp app, Map<String, Expected> expected) throws Exception {
        long started = System.nanoTime();
        ReadOnlyKeyValueStore<String, AggregateRecord> store = app.aggregates(Duration.ofSeconds(30));
        List<String> wrong = new ArrayList<>();
        int wrongCount = 0;
        long pending = 0;
        for (Map.Entry<String, Expected> e : new TreeMap<>(expected).entrySet()) {
            AggregateRecord got = store.get(e.getKey());
            String problem = got == null ? "missing"
                : got.getVersion() != e.getValue().version() ? "at version " + got.getVersion() + ", not "
                    + e.getValue().version()
                : !Arrays.equals(bytes(got.getState()), e.getValue().state()) ? "other state bytes at version "
                    + got.getVersion()
                : null;
            if (problem != null) {
                wrongCount++;
                if (wrong.size() < 5) {
                    wrong.add(e.getKey() + " " + problem);
                }
            } else {
                pending += got.getEventsSinceSnapshot();
            }
        }
        long held = 0;
        try (KeyValueIterator<String, AggregateRecord> all = store.all()) {
            while (all.hasNext()) {
                all.next();
                held++;
            }
        }
        if (wrongCount > 0 || held != expected.size()) {
            throw new IllegalStateException("WRONG STATE after the " + method + ": " + wrongCount + " of "
                + expected.size() + " aggregates differ (" + wrong + "), the store holds " + held + " aggregates");
        }
        return new Verified(expected.size(), pending, (System.nanoTime() - started) / 1e9);
    }

    /** Records in each of the application's changelogs (read_committed, as a restore reads them). */
    private static Map<String, Long> changelogRecords(Admin admin, String bootstrap, String appId) throws Exception {
        TreeSet<String> changelogs = new TreeSet<>();
        for (String topic : admin.listTopics().names().get()) {
            if (topic.startsWith(appId + "-") && topic.endsWith("-changelog")) {
                changelogs.add(topic);
            }
        }
        Map<String, Long> records = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : changelogs) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> records.merge(
                    r.topic().substring(appId.length() + 1), 1L, Long::sum));
            }
        }
        return records;
    }

    private static Map<String, Long> snapshotsByReason(ProcessorApp app) {
        Map<String, Long> byReason = new TreeMap<>();
        for (DistributionSummary s : app.meters().find("snapshotter.snapshot.size").summaries()) {
            byReason.merge(s.getId().getTag("reason"), s.count(), Long::sum);
        }
        return byReason;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private void printTable(Options options, BenchKafka.Produced produced, Instant newest, List<Result> results) {
        out.println();
        out.printf("%,d events (%.0f B average) over %,d aggregates, %d partitions, hybrid N=%d (count snapshots "
                + "only), exactly-once, shipped defaults; seeded replay from T = %s (the newest event)%n",
            produced.events(), produced.averageBytes(), options.aggregates(), options.partitions(), options.every(),
            newest);
        String format = "| %-28s | %17s | %10s | %12s | %10s | %17s | %11s | %13s | %7s | %19s | %8s |%n";
        out.printf(format, "method", "time to serve (s)", "replay (s)", "start to RUN", "verify (s)",
            "changelog records", "events read", "events folded", "seeds", "aggregates verified", "load avg");
        out.println("|" + "-".repeat(30) + "|" + "-".repeat(19) + "|" + "-".repeat(12) + "|" + "-".repeat(14) + "|"
            + "-".repeat(12) + "|" + "-".repeat(19) + "|" + "-".repeat(13) + "|" + "-".repeat(15) + "|"
            + "-".repeat(9) + "|" + "-".repeat(21) + "|" + "-".repeat(10) + "|");
        for (Result r : results) {
            out.printf(format, r.method(), String.format("%.2f", r.serveSeconds()), seconds(r.replaySeconds()),
                seconds(r.startSeconds()), seconds(r.verifySeconds()), count(r.changelogRecords()),
                count(r.eventsRead()), count(r.eventsFolded()), count(r.seeds()), count(r.verified()),
                String.format("%.2f", r.loadAverage()));
        }
        Result restore = results.get(0);
        Result seeded = results.get(1);
        Result full = results.get(2);
        out.println();
        out.printf("full replay / seeded replay   %6.2f%n", full.serveSeconds() / seeded.serveSeconds());
        out.printf("full replay / restore         %6.2f%n", full.serveSeconds() / restore.serveSeconds());
        out.printf("seeded replay / restore       %6.2f%n", seeded.serveSeconds() / restore.serveSeconds());
        double replayRate = full.eventsFolded() / full.foldSeconds();
        out.printf("full replay's fold / the live fold: %,.0f ev/s / %,.0f ev/s (start included) = %.2f "
            + "(bar: a full replay folds at the live rate, >= 1.0: %s)%n", replayRate, liveFoldRate,
            replayRate / liveFoldRate, replayRate >= liveFoldRate ? "HOLDS" : "DOES NOT HOLD");
        out.println("time to serve: from the start of the recovery until Kafka Streams is RUNNING on the recovered "
            + "state (a replay: its whole run, then an instance's start); verify: reading and comparing every "
            + "aggregate afterwards, untimed. events read: offsets the replay went through from its start offsets; "
            + "events folded: seeded, the events folded past the seeds (the rest were read and skipped as "
            + "duplicates); load avg: 1-minute load average before the method ran.");
    }

    private static String seconds(double s) {
        return s < 0 ? "-" : String.format("%.2f", s);
    }

    private static String count(long n) {
        return n < 0 ? "-" : String.format("%,d", n);
    }
}
