package io.snapshotter.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.config.ConfigSources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded demo on a thread of this JVM, as the README's first command runs it (200 events a
 * second), for a test: what it prints is captured, its HTTP API found from it, and it is stopped on
 * close.
 */
final class RunningDemo implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern API = Pattern.compile("HTTP API at (http://localhost:\\d+)");

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final EmbeddedDemo demo = new EmbeddedDemo(new PrintStream(printed, true, StandardCharsets.UTF_8));
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Thread thread;

    private RunningDemo(Map<String, String> values) {
        thread = new Thread(() -> {
            try {
                demo.run(new ConfigSources.Loaded(values, Map.of()), null, 200);
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "embedded-demo");
        thread.start();
    }

    /**
     * Starts the demo with its HTTP API on a free port, its state under {@code stateDir}, a COUNT
     * snapshot every {@code snapshotEvery} events, and the settings {@code more}.
     */
    static RunningDemo start(Path stateDir, int snapshotEvery, Map<String, String> more) {
        Map<String, String> values = new HashMap<>(more);
        values.putAll(Map.of("http.port", "0", "kafka.state.dir", stateDir.toString(), "snapshot.policy", "count",
            "snapshot.every.events", Integer.toString(snapshotEvery)));
        return new RunningDemo(values);
    }

    String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** What the demo failed with, or null. */
    Throwable failure() {
        return failed.get();
    }

    /** The base URL of the demo's HTTP API, once it printed it; else null. */
    URI api() {
        Matcher api = API.matcher(printed());
        return api.find() ? URI.create(api.group(1)) : null;
    }

    /**
     * Asks {@code GET path} of the demo's API until it answers 200 with JSON that satisfies
     * {@code until}, for at most {@code timeout}; that JSON, or null when it never did (or the demo failed).
     */
    JsonNode awaitJson(String path, Predicate<JsonNode> until, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && failure() == null) {
            URI api = api();
            if (api != null) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(api.resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode body = JSON.readTree(response.body());
                    if (until.test(body)) {
                        return body;
                    }
                }
            }
            Thread.sleep(250);
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        demo.stop();
        thread.join(Duration.ofSeconds(60).toMillis());
    }
}
