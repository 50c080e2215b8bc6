package io.snapshotter.benchmarks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.dynamodb.DynamoDbSettings;
import io.snapshotter.dynamodb.DynamoDbSnapshotSink;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.sink.SnapshotRelay;
import io.snapshotter.testkit.DynamoDbServer;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.topology.TopologyConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The DynamoDB relay's sustained snapshots per second against the rate the fold emits them: a
 * {@link EventWorkload workload} is produced first, then our processor folds it with the DynamoDB
 * sink enabled, writing into moto's DynamoDB-compatible server ({@link DynamoDbServer}, a child
 * process). Sampled every 200 ms: the fold's committed offsets, the snapshots it emitted, the
 * relay's {@code snapshots.written} and {@code lag}. The fold's rate is its snapshots over the time
 * from RUNNING until every event is committed; the relay's sustained rate is what it wrote over
 * the time from its first write until the table has caught up (every emitted snapshot written, lag
 * 0). What each spent is told too: moto's process CPU, the relay's threads, the stream threads.
 */
public final class RelayBenchmark {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PROGRESS = Duration.ofSeconds(5);
    private static final Duration FOLD_TIMEOUT = Duration.ofMinutes(15);
    /** Lag 0 this long after the fold, with fewer written than emitted: snapshots of aborted transactions, never readable. */
    private static final Duration SETTLED = Duration.ofSeconds(10);
    private static final String METERS = "snapshotter." + DynamoDbSnapshotSink.NAME + ".";

    record Options(EventWorkload workload, int partitions, int threads, Duration catchUpTimeout,
                   Map<String, String> overrides) {
    }

    /** {@code relay [--workload W] [--events N] [--aggregates N] [--partitions N] [--threads T] [--quick] [--catch-up-timeout S] [--set key=value]...} */
    @Command(name = "relay", sortOptions = false, sortSynopsis = false,
        description = "Snapshots per second the DynamoDB relay writes into moto's DynamoDB-compatible server, against "
            + "the rate our fold emits them, on an in-JVM broker.")
    static final class Cli implements Callable<Integer> {
        @Mixin
        BenchMain.Help help;

        @Spec
        CommandSpec spec;

        @Option(names = "--workload", paramLabel = "W", defaultValue = "uniform",
            description = "The workload, as throughput's: uniform, hot or zipf (default: ${DEFAULT-VALUE}).")
        String workload;

        @Mixin
        EventWorkload.Sizing sizing;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of the events and snapshot topics (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--threads", paramLabel = "T", defaultValue = "1",
            description = "Stream threads of our processor (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--catch-up-timeout", paramLabel = "SECONDS", defaultValue = "1800",
            description = "How long the table may take to catch up once the fold is done (default: ${DEFAULT-VALUE}).")
        long catchUpSeconds;

        @Option(names = "--set", paramLabel = "key=value",
            description = "A setting of our processor, over the shipped ones, the workload's N and the DynamoDB sink's "
                + "(repeatable), e.g. dynamodb.batch.size=10.")
        Map<String, String> overrides = new LinkedHashMap<>();

        Options options() {
            EventWorkload chosen;
            try {
                chosen = sizing.of(workload);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (threads < 1 || catchUpSeconds < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--threads and --catch-up-timeout: at least 1");
            }
            return new Options(chosen, partitions, threads, Duration.ofSeconds(catchUpSeconds), overrides);
        }

        @Override
        public Integer call() throws Exception {
            new RelayBenchmark(System.out).run(options());
            return 0;
        }
    }

    /** One sample of the run. */
    private record Sample(long at, long committed, long emitted, long written, long lag) {
        double secondsSince(long start) {
            return (at - start) / 1e9;
        }
    }

    private final PrintStream out;

    public RelayBenchmark(PrintStream out) {
        this.out = out;
    }

    public void run(Options options) throws Exception {
        long began = System.nanoTime();
        EventWorkload workload = options.workload();
        Map<String, String> values = new HashMap<>(ThroughputBenchmark.shippedDefaults());
        values.put(TopologyConfig.SNAPSHOT_EVERY_EVENTS, Integer.toString(workload.everyEvents()));
        values.put("kafka." + StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(options.threads()));
        out.printf("relay: %s; ours with %d stream thread(s), %d partitions; %d cores, Java %s%n", workload.describe(),
            options.threads(), options.partitions(), Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"));
        try (DynamoDbServer dynamo = DynamoDbServer.start(); EmbeddedKafka kafka = EmbeddedKafka.start();
             Admin admin = BenchKafka.admin(kafka.bootstrapServers()); DynamoDbClient client = dynamo.client()) {
            values.putAll(dynamo.processorSettings());
            values.putAll(options.overrides());
            out.printf("DynamoDB: moto's server at %s; table %s, batch %s items, keep %s per aggregate, retention cache "
                    + "%s aggregates%n", dynamo.endpoint(), setting(values, DynamoDbSettings.TABLE),
                setting(values, DynamoDbSettings.BATCH_SIZE), setting(values, DynamoDbSettings.RETENTION_KEEP),
                setting(values, DynamoDbSettings.RETENTION_CACHE_AGGREGATES));
            if (!options.overrides().isEmpty()) {
                out.printf("Overrides of our processor's settings (--set): %s%n", options.overrides());
            }
            String bootstrap = kafka.bootstrapServers();
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            String topic = "relay-" + workload.name();
            BenchKafka.createTopic(admin, topic, options.partitions(), false);
            BenchKafka.Produced produced = BenchKafka.produce(bootstrap, registry, topic, workload.events(),
                workload.stream(BenchKafka.SEED), () -> true);
            BenchKafka.printProduced(out, topic, options.partitions(), produced);
            Map<TopicPartition, Long> ends = BenchKafka.endOffsets(admin, topic, options.partitions());
            long total = BenchKafka.sum(ends);

            String group = "relay-" + workload.name() + "-" + System.currentTimeMillis();
            Path stateDir = Files.createTempDirectory("relay-" + group + "-");
            try {
                measure(options, dynamo, client, admin, bootstrap, registry, topic, values, group, stateDir, ends, total);
            } finally {
                BenchKafka.deleteRecursively(stateDir);
            }
        }
        out.printf("Total time %.0f s.%n", (System.nanoTime() - began) / 1e9);
    }

    private void measure(Options options, DynamoDbServer dynamo, DynamoDbClient client, Admin admin, String bootstrap,
                         InMemorySchemaRegistry registry, String topic, Map<String, String> values, String group,
                         Path stateDir, Map<TopicPartition, Long> ends, long total) throws Exception {
        CpuSampler cpu = new CpuSampler();
        Duration motoCpuBefore = motoCpu(dynamo);
        long started = System.nanoTime();
        try (ProcessorApp app = ThroughputBenchmark.startProcessor(admin, bootstrap, registry, topic,
                options.partitions(), values, group, stateDir)) {
            ThroughputBenchmark.Running running = ThroughputBenchmark.running(app);
            long ready = -1;
            Sample firstWrite = null;
            Sample foldDone = null;
            Sample last;
            long maxLag = 0;
            long nextProgress = started + PROGRESS.toNanos();
            long settledSince = -1;
            while (true) {
                if (ready < 0 && running.ready().getAsBoolean()) {
                    ready = System.nanoTime();
                }
                BenchKafka.sleep(POLL);
                cpu.sample();
                failIfFailed(app, running);
                long committed = foldDone == null ? BenchKafka.committed(admin, group, ends) : total;
                last = new Sample(System.nanoTime(), committed, ThroughputBenchmark.snapshotsEmitted(app),
                    written(app), lag(app));
                maxLag = Math.max(maxLag, last.emitted() - last.written());
                if (firstWrite == null && last.written() > 0) {
                    firstWrite = last;
                }
                if (foldDone == null && committed >= total) {
                    foldDone = last;
                    out.printf("fold done at %.1f s: %,d snapshots emitted, %,d written, lag %,d%n",
                        last.secondsSince(started), last.emitted(), last.written(), last.lag());
                }
                if (last.at() >= nextProgress) {
                    nextProgress += PROGRESS.toNanos();
                    out.printf("%6.1f s: folded %,d of %,d, snapshots emitted %,d, written %,d, lag %,d%n",
                        last.secondsSince(started), committed, total, last.emitted(), last.written(), last.lag());
                }
                if (foldDone == null) {
                    if (last.at() - started > FOLD_TIMEOUT.toNanos()) {
                        throw new IllegalStateException("the fold committed " + committed + " of " + total + " within "
                            + FOLD_TIMEOUT);
                    }
                    continue;
                }
                if (last.lag() == 0 && last.written() >= last.emitted()) {
                    break;
                }
                if (last.lag() == 0) {
                    settledSince = settledSince < 0 ? last.at() : settledSince;
                    if (last.at() - settledSince > SETTLED.toNanos()) {
                        out.printf("lag 0 for %d s with %,d written of %,d emitted: the rest were in aborted "
                            + "transactions, never readable%n", SETTLED.toSeconds(), last.written(), last.emitted());
                        break;
                    }
                } else {
                    settledSince = -1;
                }
                if (last.at() - foldDone.at() > options.catchUpTimeout().toNanos()) {
                    out.printf("NOT CAUGHT UP: %,d of %,d written, lag %,d, %d s after the fold%n", last.written(),
                        last.emitted(), last.lag(), options.catchUpTimeout().toSeconds());
                    break;
                }
            }
            Map<String, Double> cores = cpu.coresByRole();
            double wall = (last.at() - started) / 1e9;
            double motoCores = (motoCpu(dynamo).toNanos() - motoCpuBefore.toNanos()) / 1e9 / wall;
            printResult(options, client, values, total, started, ready < 0 ? started : ready, firstWrite, foldDone, last,
                maxLag, cores, motoCores);
        }
    }

    private void printResult(Options options, DynamoDbClient client, Map<String, String> values, long total,
                             long started, long ready, Sample firstWrite, Sample foldDone, Sample last, long maxLag,
                             Map<String, Double> cores, double motoCores) {
        double foldSeconds = (foldDone.at() - ready) / 1e9;
        double foldRate = foldDone.emitted() / foldSeconds;
        out.println();
        out.printf("fold:  %,d events in %.1f s from RUNNING (start %.1f s): %,.0f ev/s; %,d snapshots emitted: "
                + "%,.0f snapshots/s%n", total, foldSeconds, (ready - started) / 1e9, total / foldSeconds,
            foldDone.emitted(), foldRate);
        if (firstWrite == null) {
            out.println("relay: wrote nothing");
            return;
        }
        double duringFold = foldDone.written() / foldSeconds;
        double catchUp = (last.at() - foldDone.at()) / 1e9;
        double writing = (last.at() - firstWrite.at()) / 1e9;
        double sustained = last.written() / writing;
        out.printf("relay: first write %.1f s after RUNNING; %,d written while the fold ran (%,.0f snapshots/s); at the "
                + "fold's end %,d behind (lag gauge %,d), the most behind %,d%n",
            (firstWrite.at() - ready) / 1e9, foldDone.written(), duringFold, foldDone.emitted() - foldDone.written(),
            foldDone.lag(), maxLag);
        out.printf("relay: the table caught up %.1f s after the fold's end; %,d written in %.1f s from the first write: "
            + "%,.0f snapshots/s sustained%n", catchUp, last.written(), writing, sustained);
        double ratio = sustained / foldRate;
        int every = Integer.parseInt(values.get(TopologyConfig.SNAPSHOT_EVERY_EVENTS));
        out.printf("relay / fold snapshots/s: %.2f -> %s%n", ratio, ratio >= 0.95
            ? "the relay keeps up with the fold"
            : String.format("the relay falls behind: it keeps up with a fold emitting up to %,.0f snapshots/s "
                + "(at N = %d, about %,.0f events/s if every event counts toward a snapshot)", sustained, every,
                sustained * every));
        out.printf("CPU over the run (cores): moto %.2f (one Python process), the relay's threads %.2f, stream threads "
                + "%.2f, client I/O %.2f, broker+other %.2f, this JVM %.2f of %d%n", motoCores,
            cores.get(CpuSampler.SNAPSHOT_WRITER), cores.get(CpuSampler.STREAM), cores.get(CpuSampler.CLIENT_IO),
            cores.get(CpuSampler.BROKER), cores.get("process"), Runtime.getRuntime().availableProcessors());
        String table = setting(values, DynamoDbSettings.TABLE);
        out.printf("table %s: %,d items (heads of the newest %s snapshots per aggregate)%n", table,
            client.describeTable(b -> b.tableName(table)).table().itemCount(),
            setting(values, DynamoDbSettings.RETENTION_KEEP));
    }

    private static void failIfFailed(ProcessorApp app, ThroughputBenchmark.Running running) {
        if (running.failure().get() != null) {
            throw new IllegalStateException("the processor failed: " + running.failure().get());
        }
        SnapshotRelay.Status writer = app.snapshotWriter().orElse(null);
        if (writer != null && !writer.alive() && writer.failures() >= 3) {
            throw new IllegalStateException("the DynamoDB writer failed " + writer.failures() + " times in a row: "
                + writer.lastError());
        }
    }

    private static long written(ProcessorApp app) {
        Counter counter = app.meters().find(METERS + "snapshots.written").counter();
        return counter == null ? 0 : (long) counter.count();
    }

    private static long lag(ProcessorApp app) {
        Gauge gauge = app.meters().find(METERS + "lag").gauge();
        return gauge == null ? 0 : (long) gauge.value();
    }

    private static Duration motoCpu(DynamoDbServer dynamo) {
        return dynamo.processHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** A DynamoDB setting as this run has it: given, or its default. */
    private static String setting(Map<String, String> values, String key) {
        Object value = values.containsKey(key) ? values.get(key) : DynamoDbSettings.CONFIG_DEF.defaultValues().get(key);
        return String.valueOf(value);
    }
}
