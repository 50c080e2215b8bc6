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
        assertThat(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L)).filteredOn(v -> count.isDueAfterEvent(at(v, 0)))
            .containsExactly(3L, 6L);
        assertThat(count.timeDue(at(1, 0))).isEqualTo(SnapshotPolicy.NEVER);
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
}
