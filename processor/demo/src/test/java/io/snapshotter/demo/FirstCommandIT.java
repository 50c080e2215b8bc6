package io.snapshotter.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command run for real: {@code java -jar snapshot-processor-demo.jar --embedded
 * --seconds N}, the packaged jar (made at {@code package}; this test runs at {@code integration-test}),
 * started from a directory that is not the repository's, with port 8080 taken. It prints only its own
 * lines (dead letters, snapshots, state; no broker or Kafka Streams chatter, nothing on stderr),
 * keeps its state under {@code ./state}, says it took another port, and serves a snapshot history.
 */
class FirstCommandIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int SECONDS = 20;
    /** Every line the demo prints of its own. */
    private static final List<Pattern> DEMO_LINES = List.of(
        Pattern.compile("Kafka broker \\(KRaft, in this JVM\\) at localhost:\\d+"),
        Pattern.compile("Port 8080 is in use: the HTTP API takes a free port instead \\(below\\)"),
        Pattern.compile("State: state/snapshot-processor \\(RocksDB; emptied at each start\\)"),
        Pattern.compile("Processor 'snapshot-processor' folding inventory-events into snapshots on inventory-snapshots .*"),
        Pattern.compile("Snapshot history: an in-memory store in this JVM, .*"),
        Pattern.compile("HTTP API at http://localhost:\\d+; try:"),
        Pattern.compile("  curl -s .*"),
        Pattern.compile("  http://localhost:\\d+/ in a browser: the web console"),
        Pattern.compile("\\[dead letter] key=\\S+ reason=[A-Z_]+: .*"),
        Pattern.compile("\\[snapshot] \\S+ +\\S+ +v\\d+ +[A-Z]+ +\\d+ B crc32c:[0-9a-f]+"),
        Pattern.compile("\\[state] .*"));
    private static final Pattern HTTP_API = Pattern.compile("HTTP API at (http://localhost:\\d+)");

    @TempDir
    Path workDir;

    @Test
    void shouldPrintItsOwnLinesKeepItsStateHereAndServeTheSnapshotHistory() throws Exception {
        Path jar = Path.of(System.getProperty("demo.jar", "target/snapshot-processor-demo.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged demo jar (mvn package makes it)").exists();
        try (ServerSocket port8080 = takeIfFree(8080)) {
            ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--embedded", "--seconds", Integer.toString(SECONDS))
                .directory(workDir.toFile())
                .redirectError(workDir.resolve("stderr.txt").toFile());
            Map<String, String> env = command.environment();
            env.keySet().removeIf(name -> name.startsWith("SNAPSHOTTER_") || name.equals("LOG_FORMAT")
                || name.equals("AUDIT_LOG"));
            // every 5th event a snapshot, so the history has some within the run
            env.put("SNAPSHOTTER_SNAPSHOT_EVERY_EVENTS", "5");
            Process demo = command.start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> readLines(demo, lines), "demo-output");
            reader.start();

            JsonNode history = snapshotHistory(lines, demo);
            assertThat(demo.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the demo stops after %d s", SECONDS).isTrue();
            reader.join();

            assertThat(demo.exitValue()).isZero();
            assertThat(Files.readString(workDir.resolve("stderr.txt"))).isEmpty();
            assertThat(lines).filteredOn(line -> DEMO_LINES.stream().noneMatch(p -> p.matcher(line).matches()))
                .as("lines that are not the demo's own").isEmpty();
            assertThat(lines)
                .anyMatch(line -> line.startsWith("[dead letter] key=item-99999 reason=UNDECODABLE: "))
                .anyMatch(line -> line.startsWith("[dead letter] key=item-gap reason=SEQUENCE_GAP: "))
                .anyMatch(line -> line.startsWith("[snapshot] InventoryItem "))
                .anyMatch(line -> line.matches("\\[state] \\d+ aggregates in the store; a few of them:"))
                .contains("Port 8080 is in use: the HTTP API takes a free port instead (below)");
            assertThat(history.path("aggregateId").asText()).isEqualTo(SampleInventoryStream.itemId(0));
            assertThat(history.path("snapshots").get(0).path("version").asLong()).isPositive();
            assertThat(workDir.resolve("state").resolve("snapshot-processor")).isDirectory();
            assertThat(workDir.resolve("logs")).as("no audit file without an admin call").doesNotExist();
        }
    }

    /** {@code GET /aggregates/item-00000/snapshots} once the demo has printed its address and has a snapshot. */
    private static JsonNode snapshotHistory(List<String> lines, Process demo) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && demo.isAlive()) {
            Matcher api = lines.stream().map(HTTP_API::matcher).filter(Matcher::find).findFirst().orElse(null);
            if (api != null) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api.group(1) + "/aggregates/"
                    + SampleInventoryStream.itemId(0) + "/snapshots")).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode page = json.readTree(response.body());
                    if (page.path("snapshots").size() > 0) {
                        return page;
                    }
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no snapshot history served while the demo ran; it printed " + lines);
    }

    /** Holds {@code port} on loopback when nothing has it yet: either way it is taken while the demo starts. */
    private static ServerSocket takeIfFree(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket;
        } catch (IOException e) {
            return null;
        }
    }

    private static void readLines(Process demo, List<String> lines) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(reading the demo's output failed: " + e + ")");
        }
    }
}
