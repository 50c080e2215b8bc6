package io.snapshotter.app;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** The replacement budget counts over a sliding window of a clock the test moves by hand. */
class BoundedThreadReplacementTest {

    private static final Duration WINDOW = Duration.ofMinutes(10);

    private long now = 1_000_000_000L;
    private final BoundedThreadReplacement handler = new BoundedThreadReplacement(3, WINDOW, () -> now);

    private StreamThreadExceptionResponse fail() {
        return handler.handle(new IllegalStateException("broker gone"));
    }

    @Test
    void shouldShutDownOnABurstBeyondTheBudget() {
        assertThat(List.of(fail(), fail(), fail(), fail()))
            .containsExactly(REPLACE_THREAD, REPLACE_THREAD, REPLACE_THREAD, SHUTDOWN_CLIENT);
    }

    @Test
    void shouldNeverExhaustTheBudgetWithFailuresSpreadOverDays() {
        List<StreamThreadExceptionResponse> responses = new ArrayList<>();
        for (int day = 0; day < 30; day++) {
            responses.add(fail());
            now += Duration.ofDays(1).toNanos();
        }
        assertThat(responses).containsOnly(REPLACE_THREAD);
    }

    @Test
    void shouldCountOnlyTheReplacementsWithinTheWindow() {
        fail();
        now += Duration.ofMinutes(4).toNanos();
        fail();
        now += Duration.ofMinutes(4).toNanos();
        fail();
        // 10 minutes after the first: it has left the window, the other two have not
        now += Duration.ofMinutes(2).toNanos();
        assertThat(fail()).isEqualTo(REPLACE_THREAD);
        assertThat(fail()).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void shouldShutDownAtOnceWithABudgetOfZero() {
        assertThat(new BoundedThreadReplacement(0, WINDOW, () -> now).handle(new IllegalStateException()))
            .isEqualTo(SHUTDOWN_CLIENT);
    }
}
