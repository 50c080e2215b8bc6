package io.snapshotter.tests.recovery;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The processor as a separate OS process, as it runs in production: {@code java -cp <this JVM's
 * class path> io.snapshotter.cli.Launcher run --config FILE}, so that a test can kill it with
 * {@code SIGKILL} and start it again on the same state directory. The configuration file, the
 * logging configuration and the process output ({@code <name>.log}, appended across restarts) live
 * in the work directory given, which is also the process's working directory (no
 * {@code config/application.properties} there: the file given is the whole configuration, over the
 * processor's built-in defaults). The HTTP port is fixed at start and kept across restarts.
 */
public final class ProcessorProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();

    private final Path workDir;
    private final Path configFile;
    private final Path logFile;
    private final URI httpAddress;
    private Process process;
    private long readyMillis;

    private ProcessorProcess(Path workDir, String name, int httpPort) {
        this.workDir = workDir;
        this.configFile = workDir.resolve(name + ".properties");
        this.logFile = workDir.resolve(name + ".log");
        this.httpAddress = URI.create("http://127.0.0.1:" + httpPort);
    }

    /**
     * Writes {@code config} (plus {@code http.host} 127.0.0.1 and a free {@code http.port}) to
     * {@code <workDir>/<name>.properties}, starts the processor with it and waits until
     * {@code GET /ready} answers 200.
     */
    public static ProcessorProcess start(Path workDir, String name, Map<String, String> config)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessorProcess processor = new ProcessorProcess(workDir, name, port);
        Properties props = new Properties();
        props.putAll(config);
        props.put("http.host", "127.0.0.1");
        props.put("http.port", String.valueOf(port));
        try (Writer out = Files.newBufferedWriter(processor.configFile)) {
            props.store(out, "written by " + ProcessorProcess.class.getSimpleName());
        }
        Files.writeString(workDir.resolve("log4j2.properties"), String.join("\n",
            "status = warn",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.console.ref = console",
            "logger.snapshotter.name = io.snapshotter",
            "logger.snapshotter.level = info",
            "logger.streams.name = org.apache.kafka.streams",
            "logger.streams.level = info",
            ""));
        processor.launch();
        return processor;
    }

    /** The HTTP API's base URL; the same across restarts. */
    public URI httpAddress() {
        return httpAddress;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the processor with {@code SIGKILL}: no shutdown hook, no commit, no state flush. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Stops the processor with {@code SIGTERM}: Kafka Streams closes cleanly, committing its work. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kill();
                throw new IllegalStateException("The processor did not stop within " + STOP_TIMEOUT + "; killed it");
            }
        }
    }

    /** Starts the processor again with the same configuration (state directory, HTTP port) and waits until it is ready. */
    public void restart() throws IOException, InterruptedException {
        if (isAlive()) {
            throw new IllegalStateException("The processor still runs");
        }
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stop();
        } catch (IllegalStateException killed) {
            // a test that is ending does not care
        }
    }

    /** How long the last start took, from launching the JVM to {@code /ready} answering 200. */
    public long readyMillis() {
        return readyMillis;
    }

    private void launch() throws IOException, InterruptedException {
        long start = System.nanoTime();
        String java = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        process = new ProcessBuilder(List.of(java,
                "-Xmx512m",
                // a short-lived JVM on a shared machine: no C2 compiler threads, no parallel GC threads
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=" + workDir.resolve("log4j2.properties").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"),
                "io.snapshotter.cli.Launcher", "run", "--config", configFile.toAbsolutePath().toString()))
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
        awaitReady();
        readyMillis = (System.nanoTime() - start) / 1_000_000;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(httpAddress.resolve("/ready")).timeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The processor exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException("The processor was not ready after " + READY_TIMEOUT + ":\n" + tail());
            }
            Thread.sleep(200);
        }
    }

    /** The last lines of the process output, for failure messages. */
    String tail() throws IOException {
        List<String> lines = Files.readAllLines(logFile);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /**
     * The warnings and errors of the process output, each kind once with how often it came: the
     * level, the logger and the start of the message, with numbers and ids left out.
     */
    public Map<String, Long> warnings() throws IOException {
        Map<String, Long> kinds = new TreeMap<>();
        for (String line : Files.readAllLines(logFile)) {
            int level = Math.max(line.indexOf(" WARN "), line.indexOf(" ERROR"));
            if (level > 0) {
                String kind = line.substring(level + 1).replaceFirst("\\[[^]]*\\] ", "").replaceAll("[0-9a-f-]{8,}|\\d+", "#");
                kinds.merge(kind.substring(0, Math.min(kind.length(), 240)), 1L, Long::sum);
            }
        }
        return kinds;
    }

    /** The lines of the process output that contain {@code phrase}. */
    public List<String> linesContaining(String phrase) throws IOException {
        return linesContaining(phrase, 0);
    }

    /** The lines of the process output after the first {@code skipped} that contain {@code phrase}. */
    public List<String> linesContaining(String phrase, int skipped) throws IOException {
        return Files.readAllLines(logFile).stream().skip(skipped).filter(line -> line.contains(phrase)).toList();
    }

    /**
     * The records Kafka Streams restored, by its log lines after the first {@code skipped}, into the
     * changelogs whose name starts with {@code changelog} ("" for all of them).
     */
    public long recordsRestored(String changelog, int skipped) throws IOException {
        long total = 0;
        for (String line : linesContaining("Finished restoring changelog", skipped)) {
            Matcher m = RESTORED.matcher(line);
            if (m.find() && m.group(1).startsWith(changelog)) {
                total += Long.parseLong(m.group(3));
            }
        }
        return total;
    }

    private static final Pattern RESTORED = Pattern.compile(
        "Finished restoring changelog (\\S+) to store (\\S+) with a total number of (\\d+) records");

    /** How many lines the process output has so far (across restarts: a mark to read a restart's lines from). */
    public int logLines() throws IOException {
        return Files.readAllLines(logFile).size();
    }

    /**
     * The exception each line containing {@code phrase} logged: the lines after it up to its stack
     * trace's end, less the frames ({@code at ...}, {@code ... N more}).
     */
    public List<String> exceptionsAfter(String phrase) throws IOException {
        List<String> lines = Files.readAllLines(logFile);
        List<String> found = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(phrase)) {
                for (int j = i + 1; j < lines.size() && !lines.get(j).matches("^\\d\\d:\\d\\d:.*"); j++) {
                    String line = lines.get(j).strip();
                    if (!line.startsWith("at ") && !line.matches("\\.\\.\\. \\d+ more")) {
                        found.add(line);
                    }
                }
            }
        }
        return found;
    }

    /** How many lines of the process output contain each of {@code phrases}, for the test's report. */
    public Map<String, Long> count(String... phrases) throws IOException {
        List<String> lines = Files.readAllLines(logFile);
        Map<String, Long> counts = new TreeMap<>();
        for (String phrase : phrases) {
            counts.put(phrase, lines.stream().filter(line -> line.contains(phrase)).count());
        }
        return counts;
    }
}
