package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.topology.FoldMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fold's counters, as a dashboard reads them: one name each, the reason a tag, every reason's
 * series there from the start at 0.
 */
class FoldCountersTest {

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldCountDeadLettersAndSnapshotsUnderOneNameEachWithEveryReasonFromZero() {
        TopologyFixture fixture = fixtures.start(Map.of("snapshot.policy", "count", "snapshot.every.events", "2"));

        assertThat(fixture.meters.find(FoldMetrics.DEAD_LETTERS).counters())
            .extracting(counter -> counter.getId().getTag("reason"))
            .containsExactlyInAnyOrderElementsOf(Arrays.stream(DeadLetterReason.values()).map(Enum::name).toList());
        assertThat(fixture.meters.find(FoldMetrics.SNAPSHOTS).counters())
            .extracting(counter -> counter.getId().getTag("reason"))
            .containsExactlyInAnyOrderElementsOf(Arrays.stream(SnapshotReason.values()).map(Enum::name).toList());
        assertThat(fixture.meters.find(FoldMetrics.DEAD_LETTERS).counters()).extracting(Counter::count).containsOnly(0.0);

        fixture.sendEvents(ITEM, "item-1", 1, 3, T0);
        fixture.sendRaw("item-2".getBytes(StandardCharsets.UTF_8), "not an envelope".getBytes(StandardCharsets.UTF_8));

        assertThat(fixture.count(FoldMetrics.EVENTS_FOLDED)).isEqualTo(3.0);
        assertThat(fixture.deadLetterMetric(DeadLetterReason.UNDECODABLE)).isEqualTo(1.0);
        assertThat(fixture.count(FoldMetrics.DEAD_LETTERS)).as("all reasons").isEqualTo(1.0);
        assertThat(fixture.count(FoldMetrics.SNAPSHOTS, "reason", "COUNT")).isEqualTo(1.0);
    }
}
