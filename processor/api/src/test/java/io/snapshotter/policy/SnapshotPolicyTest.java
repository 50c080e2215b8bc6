package io.snapshotter.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {

    private static SnapshotProgress at(long version, long lastSnapshotTime) {
        return new SnapshotProgress("InventoryItem", version, 1, 0, lastSnapshotTime);
    }

    @Test
    void shouldSnapshotAtExactMultiplesOfNOnCount() {
        CountPolicy count = new CountPolicy(3);
        List<Long> snapshotted = new java.util.ArrayList<>();
        long lastSnapshotVersion = 0;
        for (long version = 1; version <= 7; version++) {
            if (count.isDueAfterEvent(new SnapshotProgress("InventoryItem", version, version - lastSnapshotVersion,
                    lastSnapshotVersion, 0))) {
                snapshotted.add(version);
                lastSnapshotVersion = version;
            }
        }
        assertThat(snapshotted).containsExactly(3L, 6L);
        assertThat(count.timeDue(at(1, 0))).isEqualTo(SnapshotPolicy.NEVER);
    }

    @Test
    void shouldSnapshotAVersionThatJumpedOverAMultipleOfN() {
        CountPolicy count = new CountPolicy(5);
        assertThat(count.isDueAfterEvent(new SnapshotProgress("InventoryItem", 6, 2, 4, 0))).isTrue();
        assertThat(count.isDueAfterEvent(new SnapshotProgress("InventoryItem", 9, 3, 6, 0))).isFalse();
    }

    @Test
    void shouldKeepCountSnapshotsAtMultiplesOfNAfterATimeSnapshot() {
        CountPolicy count = new CountPolicy(10);
        assertThat(count.isDueAfterEvent(new SnapshotProgress("InventoryItem", 9, 5, 4, 0))).isFalse();
        assertThat(count.isDueAfterEvent(new SnapshotProgress("InventoryItem", 10, 6, 4, 0))).isTrue();
    }

    @Test
    void shouldFallDueTAfterTheLastSnapshotOnTime() {
        TimePolicy time = new TimePolicy(1_000);
        assertThat(time.isDueAfterEvent(at(100, 0))).isFalse();
        assertThat(time.timeDue(at(5, 42_000))).isEqualTo(43_000);
        assertThat(time.timeDue(at(5, Long.MAX_VALUE - 10))).isEqualTo(SnapshotPolicy.NEVER);
    }

    @Test
    void shouldTakeWhicheverComesFirstOnHybrid() {
        AnyOfPolicy hybrid = new AnyOfPolicy(List.of(new CountPolicy(10), new TimePolicy(500)));
        assertThat(hybrid.isDueAfterEvent(at(10, 0))).isTrue();
        assertThat(hybrid.isDueAfterEvent(at(9, 0))).isFalse();
        assertThat(hybrid.timeDue(at(9, 1_000))).isEqualTo(1_500);
    }

    @Test
    void shouldRejectNonPositiveSettings() {
        assertThatThrownBy(() -> new CountPolicy(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TimePolicy(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldDescribeTheBuiltInPoliciesReadably() {
        assertThat(new CountPolicy(100)).hasToString("every 100 events");
        assertThat(new TimePolicy(3_600_000)).hasToString("3600000 ms after the last snapshot");
        assertThat(new AnyOfPolicy(List.of(new CountPolicy(100), new TimePolicy(3_600_000))))
            .hasToString("every 100 events or 3600000 ms after the last snapshot, whichever first");
    }
}
