package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.START;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapshotter.console.RecentActivity;
import io.snapshotter.console.RecentActivity.DeadLettered;
import io.snapshotter.console.RecentActivity.SnapshotTaken;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fold tells the web console's {@link RecentActivity} what it does, as it does it. */
class ConsoleActivityTest {

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    private final RecentActivity activity = new RecentActivity(Clock.fixed(START, ZoneOffset.UTC));

    @Test
    void shouldCountEachFoldSnapshotAndDeadLetterAndKeepTheRecentOnes() {
        TopologyFixture fixture = fixtures.start(Map.of("snapshot.policy", "count", "snapshot.every.events", "3"), activity);

        fixture.sendEvents(ITEM, "item-1", 1, 7, T0);
        fixture.sendEvents(ITEM, "item-1", 3, 3, T0);  // a duplicate: skipped, not folded
        long offset = fixture.sendRaw("item-2".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));
        fixture.requestSnapshot("item-1", "admin");
        List<Snapshot> emitted = fixture.readSnapshots();

        RecentActivity.Counts counts = activity.counts();
        assertThat(counts.eventsFolded()).isEqualTo(7);
        assertThat(counts.snapshots()).isEqualTo(Map.of(SnapshotReason.COUNT, 2L, SnapshotReason.TIME, 0L,
            SnapshotReason.MANUAL, 1L));
        assertThat(counts.deadLetters()).containsEntry(DeadLetterReason.UNDECODABLE, 1L)
            .hasSize(DeadLetterReason.values().length);
        assertThat(counts.deadLetters().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
        assertThat(activity.recentSnapshots())
            .extracting(SnapshotTaken::aggregateId, SnapshotTaken::version, SnapshotTaken::reason, SnapshotTaken::checksum,
                SnapshotTaken::at)
            .containsExactly(
                tuple("item-1", 7L, SnapshotReason.MANUAL, emitted.get(2).getChecksum(), START),
                tuple("item-1", 6L, SnapshotReason.COUNT, emitted.get(1).getChecksum(), START),
                tuple("item-1", 3L, SnapshotReason.COUNT, emitted.get(0).getChecksum(), START));
        assertThat(activity.recentDeadLetters()).extracting(DeadLettered::key, DeadLettered::reason, DeadLettered::source)
            .containsExactly(tuple("item-2", DeadLetterReason.UNDECODABLE, fixture.config.eventsTopic() + "-0@" + offset));
        assertThat(activity.recentDeadLetters().get(0).error()).startsWith("event envelope: ");
    }
}
