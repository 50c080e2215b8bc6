package io.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ConfigSources;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import picocli.CommandLine;

/**
 * The production command line, in this JVM with its output captured: help, version, the exit code
 * and one-line message of each kind of bad input, and a dry-run replay on a real broker that changes
 * nothing (offsets, internal topics, local state).
 */
class LauncherTest {

    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Exit code, standard output and standard error of one run of the command line. */
    record Run(int exitCode, String out, String err) {
    }

    private static Run launch(String... args) {
        CommandLine line = Launcher.commandLine(new Launcher());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = line.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        Run run = launch("--help");

        assertThat(run.exitCode()).isEqualTo(Launcher.OK);
        assertThat(run.out()).contains("run ", "replay ", "Exit codes:", "0   done", "1   failed",
            "2   bad option or configuration", "3   replay refused");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void replayHelpDocumentsItsOptions() {
        Run run = launch("replay", "--help");

        assertThat(run.exitCode()).isEqualTo(Launcher.OK);
        assertThat(run.out()).contains("snapshot-processor replay", "--config=FILE", "--from=INSTANT",
            "--seed-from=SOURCE", "--dry-run");
    }

    @Test
    void versionIsTheProjectsVersion() {
        String expected = System.getProperty("snapshotter.expected.version");
        Run run = launch("--version");

        assertThat(run.exitCode()).isEqualTo(Launcher.OK);
        assertThat(run.out()).startsWith("snapshot processor ").doesNotContain("unknown", "${");
        if (expected != null) { // set by the build (surefire); absent in an IDE run
            assertThat(run.out()).startsWith("snapshot processor " + expected + " (Kafka Streams ");
        }
    }

    @Test
    void anUnknownOptionIsOneLineNamingIt() {
        Run run = launch("replay", "--bogus");

        assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(lines(run.err())).containsExactly("Unknown option: '--bogus'",
            "Try 'snapshot-processor replay --help'.");
    }

    @Test
    void aBadInstantIsOneLineNamingIt() {
        Run run = launch("replay", "--from", "yesterday");

        assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
        List<String> lines = lines(run.err());
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("--from", "'yesterday' is not an ISO-8601 instant");
        assertThat(run.err()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void aBadSeedSourceIsOneLineNamingIt() {
        Run run = launch("replay", "--seed-from", "s3");

        assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
        List<String> lines = lines(run.err());
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("--seed-from", "'s3' is not a seed source: auto, topic or dynamodb");
        assertThat(run.err()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void aMissingConfigFileIsOneLineNamingIt() {
        Run run = launch("--config", "/no/such/file", "run");

        assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
        assertThat(lines(run.err())).containsExactly("Configuration error: --config /no/such/file: no such file");
    }

    @Test
    void aMissingConfigFileOfReplayIsOneLineNamingIt() {
        Run run = launch("replay", "--dry-run", "--config", "/no/such/file");

        assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
        assertThat(lines(run.err())).containsExactly("Configuration error: --config /no/such/file: no such file");
    }

    @Test
    void aDryRunReplayPrintsTheResetAndChangesNothing() throws Exception {
        String app = "launcher-" + System.nanoTime();
        String events = app + "-events";
        String changelog = app + "-aggregates-changelog";
        Path stateDir = Files.createDirectories(dir.resolve("state"));
        Path localState = Files.createDirectories(stateDir.resolve(app).resolve("0_0"));
        Files.writeString(localState.resolve("marker"), "kept");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(events, 3, (short) 1), new NewTopic(changelog, 3, (short) 1)))
                .all().get();
            produce(events, 12);
            // the group of a stopped application: committed offsets, no members
            Map<TopicPartition, OffsetAndMetadata> committed = Map.of(
                new TopicPartition(events, 0), new OffsetAndMetadata(2),
                new TopicPartition(events, 1), new OffsetAndMetadata(1));
            admin.alterConsumerGroupOffsets(app, committed).all().get();
            Set<String> topicsBefore = admin.listTopics().names().get();

            Run run = launch("replay", "--dry-run", "--config", config(app, events, stateDir).toString());

            assertThat(run.err()).isEmpty();
            assertThat(run.exitCode()).isEqualTo(Launcher.OK);
            assertThat(run.out()).contains(
                "replay (dry run): nothing is changed",
                "set the offsets of consumer group '" + app + "' on " + events + " to {" + events + "-0=0, "
                    + events + "-1=0, " + events + "-2=0}",
                "delete the internal topics [" + changelog + "]",
                "wipe the local state " + stateDir.resolve(app),
                "fold 12 events of " + events + " on 3 partitions");

            assertThat(admin.listTopics().names().get()).isEqualTo(topicsBefore).contains(changelog);
            assertThat(committedOffsets(admin, app)).isEqualTo(new TreeMap<>(Map.of(
                new TopicPartition(events, 0).toString(), 2L, new TopicPartition(events, 1).toString(), 1L)));
            assertThat(Files.readString(localState.resolve("marker"))).isEqualTo("kept");
            assertThat(files(stateDir)).containsExactly(stateDir.relativize(localState.resolve("marker")).toString());
        }
    }

    @Test
    void aDryRunReplayFromAnInstantCreatesNoTopic() throws Exception {
        String app = "launcher-from-" + System.nanoTime();
        String events = app + "-events";
        Path stateDir = Files.createDirectories(dir.resolve("state"));
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(events, 2, (short) 1))).all().get();
            produce(events, 4);
            Set<String> topicsBefore = admin.listTopics().names().get();

            // the snapshots topic does not exist: there are no seeds, and reading them must not create it
            Run run = launch("replay", "--dry-run", "--from", "2026-11-01T00:00:00Z", "--seed-from", "topic",
                "--config", config(app, events, stateDir).toString());

            assertThat(run.err()).isEmpty();
            assertThat(run.exitCode()).isEqualTo(Launcher.OK);
            assertThat(run.out()).contains(app + "-snapshots does not exist: no seed snapshots",
                "replay (dry run): nothing is changed", "write 0 seeds",
                "delete the internal topics []");
            assertThat(admin.listTopics().names().get()).isEqualTo(topicsBefore);
            assertThat(committedOffsets(admin, app)).isEmpty();
            assertThat(files(stateDir)).isEmpty();
        }
    }

    @Test
    void runRefusesAnInMemoryRegistryNamingTheKey() throws Exception {
        Path file = deploymentConfig("schema.registry.url=mock://forgotten");

        Run run = launch("run", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
        assertThat(lines(run.err())).singleElement().asString().startsWith("Configuration error: ")
            .contains("schema.registry.url", "mock://forgotten");
    }

    @Test
    void runWithoutARegistryUrlFailsNamingTheKey() throws Exception {
        Path file = deploymentConfig();

        Run run = launch("run", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
        assertThat(lines(run.err())).singleElement().asString()
            .startsWith("Configuration error: Missing required configuration 'schema.registry.url'");
    }

    @Test
    void replayRefusesAnInMemoryRegistryNamingTheKey() throws Exception {
        Path file = deploymentConfig("schema.registry.url=mock://forgotten");

        Run run = launch("replay", "--dry-run", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(Launcher.USAGE);
        assertThat(lines(run.err())).singleElement().asString().contains("schema.registry.url", "mock://forgotten");
    }

    @Test
    void runExitsOneWhenKafkaStreamsEndsInError() throws Exception {
        String app = "launcher-failing-" + System.nanoTime();
        Path file = config(app, app + "-events", Files.createDirectories(dir.resolve("state")));
        // every store fails to open, and no thread is replaced: Kafka Streams goes to ERROR
        com.sun.net.httpserver.HttpServer registry = emptyRegistry();
        Files.writeString(file, String.join("\n",
            "kafka.rocksdb.config.setter=" + FailingRocksDbSetter.class.getName(),
            "processor.thread.replacements.max=0",
            "schema.registry.url=http://127.0.0.1:" + registry.getAddress().getPort(), ""),
            StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        Run run;
        try {
            run = launch("run", "--config", file.toString());
        } finally {
            registry.stop(0);
        }

        assertThat(run.exitCode()).isEqualTo(Launcher.FAILED);
        assertThat(run.err()).contains("The processor failed");
    }

    @Test
    void aProcessorStoppedCleanlyEndsNotRunning() throws Exception {
        String app = "launcher-clean-" + System.nanoTime();
        Path file = config(app, app + "-events", Files.createDirectories(dir.resolve("state")));
        Map<String, String> values = new java.util.HashMap<>(ConfigSources.load(dir.resolve("none"), file, Map.of())
            .values());
        // built in code, as the embedded demo does: the in-memory registry is fine here
        values.put("schema.registry.url", "mock://" + app);
        ProcessorConfig config = new ProcessorConfig(values);

        ProcessorApp processor = ProcessorApp.start(config, new InMemorySchemaRegistry());
        processor.close();

        assertThat(processor.awaitStop()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    }

    /**
     * The start-up check's side of a registry with no subjects (GET /subjects): the processor gets no
     * further than opening its stores here, so it asks nothing else.
     */
    private static com.sun.net.httpserver.HttpServer emptyRegistry() throws IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/subjects", exchange -> {
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** A RocksDB setter that fails every store it is asked to configure. */
    public static final class FailingRocksDbSetter implements RocksDBConfigSetter {
        @Override
        public void setConfig(String storeName, Options options, Map<String, Object> configs) {
            throw new IllegalStateException("store " + storeName + " cannot be opened (test)");
        }

        @Override
        public void close(String storeName, Options options) {
        }
    }

    /**
     * A configuration that, but for its registry, would get as far as checking topics that do not
     * exist: so a refused registry shows as exit 2 and nothing else.
     */
    private Path deploymentConfig(String... lines) throws Exception {
        String app = "launcher-refused-" + System.nanoTime();
        Path file = dir.resolve(app + ".properties");
        Files.writeString(file, String.join("\n", "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
            "kafka.application.id=" + app, "topics.create=false", "topic.events=" + app + "-events",
            "topic.snapshots=" + app + "-snapshots", "http.enabled=false", String.join("\n", lines), ""),
            StandardCharsets.UTF_8);
        return file;
    }

    private Path config(String app, String events, Path stateDir) throws Exception {
        Path file = dir.resolve(app + ".properties");
        Files.writeString(file, String.join("\n",
            "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
            "kafka.application.id=" + app,
            "kafka.state.dir=" + stateDir,
            // no registry listens there: a dry run reads no schema
            "schema.registry.url=http://127.0.0.1:1",
            "topic.events=" + events,
            "topic.snapshots=" + app + "-snapshots",
            "topic.dead.letters=" + app + "-dlq",
            "topic.snapshot.requests=" + app + "-snapshot-requests",
            "topics.partitions=3",
            "http.port=0",
            ""), StandardCharsets.UTF_8);
        return file;
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static void produce(String topic, int records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                // one partition each in turn: every partition holds events
                producer.send(new ProducerRecord<>(topic, i % 3 % producer.partitionsFor(topic).size(),
                    "aggregate-" + i, "event-" + i));
            }
            producer.flush();
        }
    }

    private static Map<String, Long> committedOffsets(Admin admin, String group) throws Exception {
        Map<String, Long> offsets = new TreeMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((p, o) -> {
            if (o != null) {
                offsets.put(p.toString(), o.offset());
            }
        });
        return offsets;
    }

    private static List<String> files(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted()
                .collect(Collectors.toList());
        }
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }
}
