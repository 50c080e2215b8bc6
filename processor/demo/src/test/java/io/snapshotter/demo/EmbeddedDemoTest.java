package io.snapshotter.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command shows the whole shape: the snapshot history endpoint answers 200 with
 * the snapshots the relay copied into the demo's in-memory store, and the demo says where they live.
 */
class EmbeddedDemoTest {

    @TempDir
    Path stateDir;

    @Test
    void shouldServeSnapshotHistoryFromTheEmbeddedStoreFedByTheRelay() throws Exception {
        String history = "/aggregates/" + SampleInventoryStream.itemId(0) + "/snapshots";
        RunningDemo demo = RunningDemo.start(stateDir, 2, Map.of());
        JsonNode body;
        try (demo) {
            body = demo.awaitJson(history, json -> json.path("snapshots").size() > 0, Duration.ofSeconds(25));
        }

        assertThat(demo.failure()).isNull();
        assertThat(demo.api()).as("the demo printed its HTTP address").isNotNull();
        assertThat(body).as("GET %s answered 200 with a snapshot", history).isNotNull();
        assertThat(body.path("snapshots").get(0).path("version").asLong()).isPositive();
        assertThat(demo.printed()).contains("Snapshot history: an in-memory store", demo.api() + "/ in a browser");
    }
}
