package io.snapshotter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka cluster (KRaft, combined broker and controller, PLAINTEXT on loopback)
 * running as a separate OS process, so that it can be killed ({@code SIGKILL}), stopped
 * ({@code SIGTERM}) and restarted on the same port and log directory while its clients keep
 * running. It runs {@code kafka.Kafka} from the jars on this JVM's class path (the processor's
 * runtime class path carries the Kafka server jars), with replication factors 1, a transaction
 * log min ISR of 1 and no initial rebalance delay, as fits one node.
 *
 * <p>Everything lives in the data directory given to {@link #start(Path)}: {@code server.properties},
 * {@code log4j2.properties}, the log directory {@code kafka-logs/} and the broker's output,
 * {@code broker.log}. Usable from tests and from benchmarks alike:
 *
 * <pre>{@code
 * try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(dir)) {
 *     ... kafka.bootstrapServers() ...
 *     kafka.kill();     // as a crash: no controlled shutdown, no flush
 *     kafka.restart();  // same port, same logs: recovery, then serving again
 * }
 * }</pre>
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    /** The broker JVM's options unless given: a 512 MB heap. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx512m");

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Path propertiesFile;
    private final Path logFile;
    private final int brokerPort;
    private final List<String> jvmOptions;
    private final Thread killOnExit;
    private volatile Process process;

    private KafkaBrokerProcess(Path dataDir, int brokerPort, List<String> jvmOptions) {
        this.dataDir = dataDir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.propertiesFile = dataDir.resolve("server.properties");
        this.logFile = dataDir.resolve("broker.log");
        this.brokerPort = brokerPort;
        this.killOnExit = new Thread(() -> {
            if (process != null) {
                process.destroyForcibly();
            }
        }, "kafka-broker-process-kill-on-exit");
    }

    /**
     * Formats a new cluster's storage under {@code dataDir} (created if missing) and starts the broker
     * on two free loopback ports (client and controller listeners), returning once it answers clients.
     */
    public static KafkaBrokerProcess start(Path dataDir) throws IOException, InterruptedException {
        return start(dataDir, DEFAULT_JVM_OPTIONS);
    }

    /**
     * As {@link #start(Path)}, the broker's JVM started with {@code jvmOptions} instead of
     * {@link #DEFAULT_JVM_OPTIONS} (tests on a busy machine may trade the broker's peak speed for a
     * quicker start, e.g. {@code -XX:TieredStopAtLevel=1}).
     */
    public static KafkaBrokerProcess start(Path dataDir, List<String> jvmOptions) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        int brokerPort = freePort();
        int controllerPort = freePort();
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dataDir, brokerPort, jvmOptions);
        broker.writeConfig(controllerPort);
        broker.format();
        Runtime.getRuntime().addShutdownHook(broker.killOnExit);
        try {
            broker.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** {@code host:port} of the client listener; the same across restarts. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The broker's output (stdout and stderr, appended across restarts). */
    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the broker with {@code SIGKILL}, as a crash, and waits until the process is gone. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /**
     * Stops the broker with {@code SIGTERM} (a controlled shutdown), waiting up to a minute before
     * killing it.
     */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /**
     * Starts the broker again on the same ports and log directory (stopping it first with
     * {@link #stop()} if it still runs), returning once it answers clients.
     */
    public void restart() throws IOException, InterruptedException {
        if (isAlive()) {
            stop();
        }
        launch();
    }

    /** Stops the broker (gracefully, then forcibly); the data directory is left for the caller. */
    @Override
    public void close() throws InterruptedException {
        try {
            stop();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private void writeConfig(int controllerPort) throws IOException {
        String listeners = "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort;
        Files.writeString(propertiesFile, String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=" + listeners,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "log.dirs=" + dataDir.resolve("kafka-logs").toAbsolutePath(),
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=3",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=3",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            ""));
        Files.writeString(dataDir.resolve("log4j2.properties"), String.join("\n",
            "status = warn",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.console.ref = console",
            ""));
    }

    /** {@code kafka-storage format} with a fresh cluster id, as a child process of its own. */
    private void format() throws IOException, InterruptedException {
        Process format = javaProcess("kafka.tools.StorageTool", "format",
            "--config", propertiesFile.toString(), "--cluster-id", Uuid.randomUuid().toString()).start();
        if (!format.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            format.destroyForcibly();
            throw new IllegalStateException("Formatting the Kafka storage timed out; see " + logFile);
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("Formatting the Kafka storage failed (exit " + format.exitValue()
                + "):\n" + Files.readString(logFile));
        }
    }

    private void launch() throws IOException, InterruptedException {
        process = javaProcess("kafka.Kafka", propertiesFile.toString()).start();
        awaitReady();
    }

    private ProcessBuilder javaProcess(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of(
            "-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties").toAbsolutePath(),
            "-cp", System.getProperty("java.class.path"),
            mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
            .directory(dataDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    }

    /**
     * Waits until the client port accepts connections, then until the broker lists itself to an
     * admin client (after a kill, the controller first waits out the old incarnation's session,
     * {@code broker.session.timeout.ms}, 9 s), failing early if the process exits.
     */
    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!accepts()) {
            checkRunning(deadline);
            Thread.sleep(100);
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000",
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200"))) {
            while (true) {
                checkRunning(deadline);
                try {
                    if (!admin.describeCluster().nodes().get().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException notYet) {
                    // not registered yet
                }
                Thread.sleep(200);
            }
        }
    }

    private void checkRunning(long deadline) throws InterruptedException {
        if (!process.isAlive()) {
            throw new IllegalStateException("The Kafka broker exited with " + process.exitValue() + "; see " + logFile);
        }
        if (System.nanoTime() > deadline) {
            kill();
            throw new IllegalStateException("The Kafka broker was not ready after " + READY_TIMEOUT + "; see " + logFile);
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", brokerPort), 1000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
