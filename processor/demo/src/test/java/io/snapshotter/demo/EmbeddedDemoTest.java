package io.snapshotter.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.config.ConfigSources;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command shows the whole shape: the snapshot history endpoint answers 200 with
 * the snapshots the relay copied into the demo's in-memory store, and the demo says where they live.
 */
class EmbeddedDemoTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDir;

    @Test
    void shouldServeSnapshotHistoryFromTheEmbeddedStoreFedByTheRelay() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Map<String, String> values = Map.of("http.port", "0", "kafka.state.dir", stateDir.toString(),
            "snapshot.policy", "count", "snapshot.every.events", "2");
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread demo = new Thread(() -> {
            try {
                new EmbeddedDemo(out).run(new ConfigSources.Loaded(values, Map.of()), Duration.ofSeconds(25), 200);
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "embedded-demo");
        demo.start();

        String history = null;
        JsonNode body = null;
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        while (System.nanoTime() < deadline && failed.get() == null) {
            Matcher api = Pattern.compile("HTTP API at (http://localhost:\\d+)").matcher(printed.toString(StandardCharsets.UTF_8));
            if (api.find()) {
                history = api.group(1) + "/aggregates/" + SampleInventoryStream.itemId(0) + "/snapshots";
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(history)).build(),
                    HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    body = JSON.readTree(response.body());
                    if (body.path("snapshots").size() > 0) {
                        break;
                    }
                }
            }
            Thread.sleep(250);
        }
        demo.join(Duration.ofSeconds(60).toMillis());

        assertThat(failed.get()).isNull();
        assertThat(history).as("the demo printed its HTTP address").isNotNull();
        assertThat(body).as("GET %s answered 200", history).isNotNull();
        assertThat(body.path("snapshots").size()).isPositive();
        assertThat(body.path("snapshots").get(0).path("version").asLong()).isPositive();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Snapshot history: an in-memory store");
    }
}
