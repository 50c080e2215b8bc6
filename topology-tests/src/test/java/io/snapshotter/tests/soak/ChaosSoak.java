package io.snapshotter.tests.soak;

import io.snapshotter.testkit.DynamoDbServer;
import io.snapshotter.dynamodb.DynamoDbSnapshotHistory;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.testkit.FaultProxy;
import io.snapshotter.testkit.KafkaBrokerProcess;
import io.snapshotter.tests.recovery.ProcessorProcess;
import io.snapshotter.tests.registry.ApicurioRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The chaos soak: two processor instances (child processes of the production launcher) against a
 * broker process, an Apicurio registry process (H2 file storage, so that a real restart keeps the
 * schemas) and moto's DynamoDB server, the processors reaching the registry and DynamoDB through
 * {@link FaultProxy fault proxies}. A producer sends good events over thousands of aggregates with
 * bad records mixed in, paced over the soak, while one thread plays the faults of the {@link Plan}
 * at evenly spaced times: SIGKILLs of a processor (restarted at once on its state directory), broker
 * SIGKILLs and restarts, DynamoDB outages (the proxy refusing connections) during each of which,
 * once a writer is seen backing off, one instance is stopped (a rebalance of the writer group, and
 * of the streams group) and started again after the outage, and registry restarts. Then it runs
 * the {@link SoakChecks} and returns the {@link SoakReport}.
 */
final class ChaosSoak {

    /**
     * The soak's size and faults; {@link #fromSystemProperties()} reads {@code soak.*}, defaulting to
     * the short form.
     */
    record Plan(Duration duration, int aggregates, int events, int badEvery, int kills, int brokerRestarts,
                int dynamoOutages, Duration dynamoOutage, int registryRestarts, int keep, long seed) {

        static Plan shortForm() {
            return new Plan(Duration.ofSeconds(150), 2_000, 24_000, 150, 5, 1, 1, Duration.ofSeconds(20), 1, 3, 20261201);
        }

        static Plan fromSystemProperties() {
            Plan d = shortForm();
            double minutes = Double.parseDouble(System.getProperty("soak.minutes", String.valueOf(d.duration.toSeconds() / 60.0)));
            Duration duration = Duration.ofSeconds(Math.round(minutes * 60));
            int defaultEvents = (int) Math.round(d.events * minutes / (d.duration.toSeconds() / 60.0));
            return new Plan(duration,
                Integer.getInteger("soak.aggregates", d.aggregates),
                Integer.getInteger("soak.events", defaultEvents),
                Integer.getInteger("soak.bad.every", d.badEvery),
                Integer.getInteger("soak.kills", d.kills),
                Integer.getInteger("soak.broker.restarts", d.brokerRestarts),
                Integer.getInteger("soak.dynamodb.outages", d.dynamoOutages),
                Duration.ofSeconds(Integer.getInteger("soak.dynamodb.outage.seconds", (int) d.dynamoOutage.toSeconds())),
                Integer.getInteger("soak.registry.restarts", d.registryRestarts),
                Integer.getInteger("soak.keep", d.keep),
                Long.getLong("soak.seed", d.seed));
        }
    }

    static final String KILL = "SIGKILL of a processor instance";
    static final String BROKER = "broker SIGKILL and restart";
    static final String DYNAMO = "DynamoDB outage (proxy refusing)";
    static final String REBALANCE = "rebalance during a DynamoDB backoff (instance stopped)";
    static final String REGISTRY = "registry restart (H2 file storage)";
    private static final int INSTANCES = 2;
    private static final int SNAPSHOT_EVERY = 5;
    private static final int PARTITIONS = 6;
    /** How long each check waits for the system to settle after the faults; {@code soak.settle.seconds}. */
    private static final Duration SETTLE = Duration.ofSeconds(Integer.getInteger("soak.settle.seconds", 180));
    /**
     * The DynamoDB writer's threads, as the processor's log pattern shows them: the relay's
     * ({@code [dynamodb-snapshot-writer]}) and its sink's, writing a batch's groups side by side
     * ({@code [dynamodb-snapshot-writer-group-<n>]}), which retry and back off too.
     */
    private static final String WRITER_THREAD = "[dynamodb-snapshot-writer";
    /** What the processor logs when its DynamoDB writer gives up (SnapshotRelay). */
    private static final String WRITER_STOPPED = "snapshot writer stopped";
    /** What a supervised writer logs when it failed and starts again after a delay (SnapshotRelay). */
    private static final String WRITER_RESTARTING = "restarting it in";
    /** A logger of ours in the processor's log pattern ({@code [thread] SimpleName - }), not a Kafka client's. */
    private static final java.util.regex.Pattern OWN_LOGGER =
        java.util.regex.Pattern.compile("\\] (BatchWriter|SnapshotRelay|DynamoDb\\w*|Snapshot\\w*) - ");
    private static final List<String> BROKER_JVM = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private final Plan plan;
    private final Path dir;
    private final String prefix = "soak-" + System.nanoTime();
    private final SoakReport report;
    private final List<ProcessorProcess> instances = new ArrayList<>();
    private final long[] unaskedExits = new long[1];
    private KafkaBrokerProcess kafka;
    private ApicurioRegistry registry;
    private DynamoDbServer dynamo;
    private FaultProxy registryProxy;
    private FaultProxy dynamoProxy;

    ChaosSoak(Plan plan, Path dir) {
        this.plan = plan;
        this.dir = dir;
        this.report = new SoakReport(String.format("Chaos soak: %d instances, %,d aggregates, %,d good events with a bad record "
            + "after every %d, %s of faults, count snapshots every %d events, DynamoDB keeping %d",
            INSTANCES, plan.aggregates(), plan.events(), plan.badEvery(), plan.duration(), SNAPSHOT_EVERY, plan.keep()));
    }

    SoakReport run() throws Exception {
        long start = System.nanoTime();
        try {
            startStack();
            System.out.printf("soak: broker, registry, DynamoDB and %d processors up in %d s%n", INSTANCES, secondsSince(start));
            AvroWireCodec codec = new AvroWireCodec(new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(registry.url())));
            SoakWorkload workload = new SoakWorkload(new EventEncoder(codec, prefix + "-events"), plan.seed(), plan.aggregates(),
                plan.events(), plan.badEvery(), SNAPSHOT_EVERY);
            System.out.printf("soak: %,d records encoded (%,d bad), %,d aggregates, %,d count snapshots expected%n",
                workload.inputCount(), workload.badRecords(), workload.versions().size(), workload.snapshotStates().size());

            Duration producing = plan.duration().multipliedBy(9).dividedBy(10);
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                try {
                    workload.produce(kafka.bootstrapServers(), prefix + "-events", producing);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                }
            });
            playFaults(System.nanoTime());
            producer.join();
            reviveDeadInstances("after the faults");
            System.out.printf("soak: faults played and %,d records produced (%d send failures) %d s in%n", workload.sent(),
                workload.sendFailures(), secondsSince(start));
            report.check("every record produced (harness)", workload.inputCount(), workload.sendFailures()
                + (workload.inputCount() - workload.sent()), List.of());

            SoakChecks checks = new SoakChecks(workload, report, codec, kafka.bootstrapServers(), SETTLE);
            long checking = System.nanoTime();
            checks.servedStates(instances.stream().map(ProcessorProcess::httpAddress).toList());
            System.out.printf("soak: served states checked in %d s%n", secondsSince(checking));
            var snapshots = checks.snapshots(prefix + "-snapshots");
            checking = System.nanoTime();
            try (DynamoDbClient client = dynamo.client()) {
                checks.dynamoDb(client, prefix + "_snapshots", new DynamoDbSnapshotHistory(client, prefix + "_snapshots", codec),
                    snapshots, plan.keep());
            }
            System.out.printf("soak: DynamoDB checked in %d s%n", secondsSince(checking));
            checks.deadLetters(prefix + "-dlq", prefix + "-events");
            report.check("instances never exited unasked", INSTANCES, unaskedExits[0], List.of());
            printLogSummary();
            System.out.printf("soak: done in %d s%n", secondsSince(start));
            return report;
        } finally {
            stopStack();
        }
    }

    private void startStack() throws Exception {
        CompletableFuture<ApicurioRegistry> registryStarting = CompletableFuture.supplyAsync(() -> {
            try {
                return ApicurioRegistry.startPersistent(dir.resolve("registry"));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        CompletableFuture<DynamoDbServer> dynamoStarting = CompletableFuture.supplyAsync(() -> {
            try {
                return DynamoDbServer.start();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            kafka = KafkaBrokerProcess.start(Files.createDirectories(dir.resolve("broker")), BROKER_JVM);
        } finally {
            registry = registryStarting.join();
            dynamo = dynamoStarting.join();
        }
        registryProxy = FaultProxy.start(registry.port());
        dynamoProxy = FaultProxy.start(dynamo.port());
        // one after the other, so that the soak is about its faults: two instances creating the
        // table at once (which failed the second before 973385e) is a startup race of its own
        for (int i = 0; i < INSTANCES; i++) {
            instances.add(ProcessorProcess.start(dir.resolve("processor-" + i), "processor-" + i, processorConfig(i)));
        }
    }

    /**
     * One instance's configuration: the soak's application id and topics, exactly-once, count
     * snapshots, DynamoDB and the registry through their proxies; as the recovery tests, a commit
     * every second and a 10 s session timeout (a killed member's partitions move after 10 s, not 45).
     */
    private Map<String, String> processorConfig(int instance) {
        Map<String, String> config = new HashMap<>(dynamo.processorSettings(dynamoProxy.httpEndpoint()));
        config.put("dynamodb.table", prefix + "_snapshots");
        config.put("dynamodb.retention.keep", String.valueOf(plan.keep()));
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("kafka.application.id", prefix);
        config.put("kafka.state.dir", dir.resolve("state-" + instance).toAbsolutePath().toString());
        config.put("kafka.processing.guarantee", "exactly_once_v2");
        config.put("kafka.commit.interval.ms", "1000");
        config.put("kafka.session.timeout.ms", "10000");
        config.put("schema.registry.url", "http://127.0.0.1:" + registryProxy.port() + "/apis/ccompat/v7");
        config.put("topic.events", prefix + "-events");
        config.put("topic.snapshots", prefix + "-snapshots");
        config.put("topic.dead.letters", prefix + "-dlq");
        config.put("topic.snapshot.requests", prefix + "-snapshot-requests");
        config.put("topics.partitions", String.valueOf(PARTITIONS));
        config.put("snapshot.policy", "count");
        config.put("snapshot.every.events", String.valueOf(SNAPSHOT_EVERY));
        return config;
    }

    /** The faults at evenly spaced times over 5% to 85% of the soak, the rarer ones spread among the kills. */
    private void playFaults(long start) throws InterruptedException {
        report.plan(KILL, plan.kills());
        report.plan(BROKER, plan.brokerRestarts());
        report.plan(DYNAMO, plan.dynamoOutages());
        report.plan(REBALANCE, plan.dynamoOutages());
        report.plan(REGISTRY, plan.registryRestarts());
        List<String> rare = new ArrayList<>();
        int most = Math.max(plan.dynamoOutages(), Math.max(plan.brokerRestarts(), plan.registryRestarts()));
        for (int i = 0; i < most; i++) {
            if (i < plan.dynamoOutages()) {
                rare.add(DYNAMO);
            }
            if (i < plan.brokerRestarts()) {
                rare.add(BROKER);
            }
            if (i < plan.registryRestarts()) {
                rare.add(REGISTRY);
            }
        }
        int total = plan.kills() + rare.size();
        List<String> schedule = new ArrayList<>();
        int kills = plan.kills();
        for (int slot = 0, r = 0; slot < total; slot++) {
            boolean rareHere = r < rare.size() && (kills == 0 || slot >= (r + 1) * total / (rare.size() + 1));
            if (rareHere) {
                schedule.add(rare.get(r++));
            } else {
                schedule.add(KILL);
                kills--;
            }
        }
        long span = plan.duration().toNanos() * 8 / 10;
        int killed = 0;
        for (int slot = 0; slot < schedule.size(); slot++) {
            long due = start + plan.duration().toNanos() / 20 + (total == 1 ? 0 : span * slot / (total - 1));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            reviveDeadInstances("before a fault");
            String fault = schedule.get(slot);
            long began = System.nanoTime();
            try {
                switch (fault) {
                    case KILL -> kill(instances.get(killed++ % INSTANCES));
                    case BROKER -> {
                        kafka.kill();
                        kafka.restart();
                        report.injected(BROKER);
                    }
                    case DYNAMO -> dynamoOutageWithRebalance(instances.get(killed % INSTANCES));
                    case REGISTRY -> {
                        registry.restart();
                        report.injected(REGISTRY);
                    }
                    default -> throw new IllegalStateException(fault);
                }
            } catch (Exception e) {
                report.incident(fault + " could not be played: " + e);
            }
            System.out.printf("soak: %3d s  %s (%d ms)%n", secondsSince(start), fault, (System.nanoTime() - began) / 1_000_000);
        }
    }

    /** SIGKILL, then a restart on the same state directory, timed from the kill to {@code /ready}. */
    private void kill(ProcessorProcess instance) throws Exception {
        int mark = instance.logLines();
        instance.kill();
        long killed = System.nanoTime();
        report.injected(KILL);
        instance.restart();
        report.restart((System.nanoTime() - killed) / 1_000_000, instance.recordsRestored("", mark));
    }

    /**
     * Refuses DynamoDB connections for the outage; once a writer logs that it retries a failed write
     * (it is backing off), stops one instance with SIGTERM, which leaves both groups at once: the survivor's writer
     * takes over the partitions while its own writes are failing. The stopped instance starts again
     * after the outage (at startup the processor checks the table, which an outage would fail).
     */
    private void dynamoOutageWithRebalance(ProcessorProcess victim) throws Exception {
        long before = writerRetries();
        long stoppedBefore = writerLines(WRITER_STOPPED);
        dynamoProxy.refuse();
        long outageStart = System.nanoTime();
        report.injected(DYNAMO);
        try {
            long deadline = outageStart + plan.dynamoOutage().toNanos() / 2;
            while (writerRetries() == before && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            boolean backingOff = writerRetries() > before;
            if (!backingOff) {
                report.incident("no DynamoDB writer logged a retry within " + plan.dynamoOutage().dividedBy(2)
                    + " of the outage (" + (writerLines(WRITER_STOPPED) - stoppedBefore) + " logged '" + WRITER_STOPPED
                    + "' instead); the instance is stopped all the same, but that is no rebalance during a backoff");
            }
            try {
                victim.stop();
            } catch (IllegalStateException e) {
                report.incident("SIGTERM during the DynamoDB outage: " + e.getMessage());
            }
            if (backingOff) {
                report.injected(REBALANCE);
            }
            long rest = outageStart + plan.dynamoOutage().toNanos() - System.nanoTime();
            if (rest > 0) {
                Thread.sleep(rest / 1_000_000);
            }
        } finally {
            dynamoProxy.pass();
        }
        if (!victim.isAlive()) {
            victim.restart();
        }
    }

    /**
     * Warnings the writer's thread logs from our own code (not the Kafka clients' connection
     * warnings of its consumer) and supervised restarts, in all instances' logs: a failed write it
     * will retry after a backoff.
     */
    private long writerRetries() throws java.io.IOException {
        long lines = 0;
        for (ProcessorProcess instance : instances) {
            lines += instance.linesContaining(WRITER_THREAD).stream()
                .filter(line -> line.contains(" WARN ") && OWN_LOGGER.matcher(line).find()
                    || line.contains(WRITER_RESTARTING)).count();
        }
        return lines;
    }

    /** Lines of the writer's thread containing {@code phrase}, in all instances' logs. */
    private long writerLines(String phrase) throws java.io.IOException {
        long lines = 0;
        for (ProcessorProcess instance : instances) {
            lines += instance.linesContaining(WRITER_THREAD).stream().filter(line -> line.contains(phrase)).count();
        }
        return lines;
    }

    /** An instance that exited without being killed or stopped is a finding; it is started again so the soak goes on. */
    private void reviveDeadInstances(String when) {
        for (int i = 0; i < instances.size(); i++) {
            ProcessorProcess instance = instances.get(i);
            if (!instance.isAlive()) {
                unaskedExits[0]++;
                try {
                    report.incident("processor-" + i + " had exited unasked (" + when + "); its last lines: "
                        + instance.linesContaining("ERROR").stream().skip(Math.max(0, instance.linesContaining("ERROR").size() - 3)).toList());
                    instance.restart();
                } catch (Exception e) {
                    report.incident("processor-" + i + " could not be restarted: " + e);
                }
            }
        }
    }

    private void printLogSummary() {
        for (int i = 0; i < instances.size(); i++) {
            try {
                System.out.printf("soak: processor-%d log: %s%n", i, instances.get(i).count(" ERROR ", " WARN ", WRITER_THREAD,
                    "Stream thread failed", WRITER_STOPPED, WRITER_RESTARTING, "dead-lettered"));
                Map<String, Long> kinds = instances.get(i).warnings();
                kinds.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                    .forEach(e -> System.out.printf("soak: processor log: %5d x %s%n", e.getValue(), e.getKey()));
                // every ERROR line, however rare (the twelve most frequent kinds above are warnings), and the line after it
                List<String> lines = java.nio.file.Files.readAllLines(instances.get(i).logFile());
                for (int n = 0; n < lines.size(); n++) {
                    if (lines.get(n).contains(" ERROR ")) {
                        System.out.printf("soak: processor-%d: %s%n  %s%n", i, lines.get(n),
                            n + 1 < lines.size() ? lines.get(n + 1) : "");
                    }
                }
            } catch (Exception e) {
                System.out.println("soak: no log summary: " + e);
            }
        }
    }

    private void stopStack() {
        for (ProcessorProcess instance : instances) {
            try {
                instance.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dynamoProxy, registryProxy, dynamo, registry, kafka}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }
        }
    }

    private static long secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000_000L;
    }
}
