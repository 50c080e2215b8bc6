package io.snapshotter.tests.topology;

import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.WAREHOUSE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.SnapshotProgress;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PerTypePolicyTest {

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    @Test
    void shouldOverrideTheGlobalCountForOneAggregateTypeOnly() {
        TopologyFixture fixture = fixtures.start(Map.of(
            "snapshot.policy", "count",
            "snapshot.every.events", "5",
            "aggregate.Warehouse.snapshot.every.events", "2"));

        fixture.sendEvents(WAREHOUSE, "wh-1", 1, 5, T0);
        fixture.sendEvents(ITEM, "item-1", 1, 5, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getAggregateId, Snapshot::getVersion)
            .containsExactly(tuple("wh-1", 2L), tuple("wh-1", 4L), tuple("item-1", 5L));
    }

    @Test
    void shouldUseACustomPolicyClass() {
        TopologyFixture fixture = fixtures.start(Map.of(
            "snapshot.policy", "custom",
            "snapshot.policy.class", PowersOfTwoPolicy.class.getName()));

        fixture.sendEvents(ITEM, "item-1", 1, 9, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(
                tuple(1L, SnapshotReason.COUNT),
                tuple(2L, SnapshotReason.COUNT),
                tuple(4L, SnapshotReason.COUNT),
                tuple(8L, SnapshotReason.COUNT));
    }

    @Test
    void shouldUseACustomPolicyClassForOneAggregateTypeOnly() {
        TopologyFixture fixture = fixtures.start(Map.of(
            "snapshot.policy", "count",
            "snapshot.every.events", "3",
            "aggregate.Warehouse.snapshot.policy", "custom",
            "aggregate.Warehouse.snapshot.policy.class", PowersOfTwoPolicy.class.getName()));

        fixture.sendEvents(WAREHOUSE, "wh-1", 1, 4, T0);
        fixture.sendEvents(ITEM, "item-1", 1, 4, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getAggregateId, Snapshot::getVersion)
            .containsExactly(tuple("wh-1", 1L), tuple("wh-1", 2L), tuple("wh-1", 4L), tuple("item-1", 3L));
    }

    @Test
    void shouldSnapshotByTheTimeDueACustomPolicyReturns() {
        TopologyFixture fixture = fixtures.start(Map.of(
            "snapshot.policy", "custom",
            "snapshot.policy.class", PowersOfTwoPolicy.class.getName()));
        fixture.sendEvents(ITEM, "item-1", 1, 3, T0);
        fixture.readSnapshots();

        fixture.advanceWallClock(PowersOfTwoPolicy.DUE_AFTER_MS);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion, s -> s.getMetadata().getReason())
            .containsExactly(tuple(3L, SnapshotReason.TIME));
    }

    @Test
    void shouldPassACustomPolicyItsOwnSettings() {
        TopologyFixture fixture = fixtures.start(Map.of(
            "snapshot.policy", "custom",
            "snapshot.policy.class", EveryNthPolicy.class.getName(),
            EveryNthPolicy.EVERY, "3"));

        fixture.sendEvents(ITEM, "item-1", 1, 6, T0);

        assertThat(fixture.readSnapshots()).extracting(Snapshot::getVersion).containsExactly(3L, 6L);
    }

    /** Snapshots versions 1, 2, 4, 8 ...; pending events fall due {@value DUE_AFTER_MS} ms after the last snapshot. */
    public static final class PowersOfTwoPolicy implements SnapshotPolicy {

        static final long DUE_AFTER_MS = 5_000;

        @Override
        public boolean isDueAfterEvent(SnapshotProgress progress) {
            return Long.bitCount(progress.version()) == 1;
        }

        @Override
        public long timeDue(SnapshotProgress progress) {
            return progress.lastSnapshotTime() + DUE_AFTER_MS;
        }
    }

    /** Snapshots every version divisible by its own setting {@value EVERY}. */
    public static final class EveryNthPolicy implements SnapshotPolicy {

        static final String EVERY = "snapshot.policy.config.every";

        private long every;

        @Override
        public void configure(Map<String, ?> configs) {
            every = Long.parseLong(String.valueOf(configs.get(EVERY)));
        }

        @Override
        public boolean isDueAfterEvent(SnapshotProgress progress) {
            return progress.version() % every == 0;
        }

        @Override
        public long timeDue(SnapshotProgress progress) {
            return NEVER;
        }
    }
}
