package io.snapshotter.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /console/status} of the embedded demo, a real Kafka Streams on a real broker: the one
 * instance holds every partition, each task's lag is known, and the demo's two bad records are counted
 * and listed where they came from.
 */
class ConsoleStatusTest {

    private static final String EVENTS = "inventory-events";

    @TempDir
    Path stateDir;

    @Test
    void shouldShowTheDemosAssignmentLagAndActivity() throws Exception {
        RunningDemo demo = RunningDemo.start(stateDir, 5, Map.of());
        JsonNode status;
        try (demo) {
            // settled: both bad records dead-lettered, snapshots taken, every task's events lag known
            status = demo.awaitJson("/console/status", json -> json.path("recentDeadLetters").size() == 2
                && json.path("counts").path("snapshots").path("COUNT").asLong() > 0
                && json.path("tasks").size() == 6 && eventLags(json).stream().allMatch(lag -> !lag.isNull()),
                Duration.ofSeconds(60));
        }

        assertThat(demo.failure()).isNull();
        assertThat(status).as("the status settled; the demo printed:%n%s", demo.printed()).isNotNull();
        assertThat(status.path("instance").asText()).endsWith(":" + demo.api().getPort());
        assertThat(status.path("instances")).hasSize(1);
        JsonNode self = status.path("instances").get(0);
        assertThat(self.path("instance")).isEqualTo(status.path("instance"));
        assertThat(self.path("self").asBoolean()).isTrue();
        assertThat(self.path("active").path(EVENTS).toString()).isEqualTo("[0,1,2,3,4,5]");
        assertThat(self.path("standby").size()).isZero();
        assertThat(status.path("tasks")).extracting(task -> task.path("id").asText() + " " + task.path("role").asText())
            .containsExactly("0_0 active", "0_1 active", "0_2 active", "0_3 active", "0_4 active", "0_5 active");
        assertThat(eventLags(status)).allSatisfy(lag -> assertThat(lag.asLong()).isNotNegative());
        assertThat(status.path("counts").path("eventsFolded").asLong()).isPositive();
        assertThat(status.path("counts").path("deadLetters").path("UNDECODABLE").asLong()).isEqualTo(1);
        assertThat(status.path("counts").path("deadLetters").path("SEQUENCE_GAP").asLong()).isEqualTo(1);
        assertThat(status.path("recentDeadLetters")).extracting(d -> d.path("key").asText() + " " + d.path("reason").asText())
            .containsExactlyInAnyOrder("item-99999 UNDECODABLE", "item-gap SEQUENCE_GAP");
        assertThat(status.path("recentDeadLetters")).allSatisfy(d -> assertThat(d.path("source").asText())
            .matches(EVENTS + "-[0-5]@0"));
        assertThat(status.path("recentSnapshots").get(0).path("reason").asText()).isEqualTo("COUNT");
        assertThat(status.path("snapshotWriter").path("alive").asBoolean()).isTrue();
        assertThat(status.path("snapshotWriter").path("lag").asLong()).isNotNegative();
    }

    /** The lag of every task's events partition. */
    private static List<JsonNode> eventLags(JsonNode status) {
        List<JsonNode> lags = new ArrayList<>();
        status.path("tasks").forEach(task -> task.path("inputs").forEach(input -> {
            if (input.path("topic").asText().equals(EVENTS)) {
                lags.add(input.path("lag"));
            }
        }));
        return lags;
    }
}
