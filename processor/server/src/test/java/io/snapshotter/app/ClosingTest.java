package io.snapshotter.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A processor is closed by its shutdown hook and by {@code main} alike: each resource once, in order. */
@Timeout(60)
class ClosingTest {

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void shouldCloseInReverseOrderOnceWhenClosedAgain() {
        Closing closing = new Closing();
        closing.push(() -> events.add("http"));
        closing.push(() -> events.add("streams"));

        closing.close();
        closing.close();

        assertThat(events).containsExactly("streams", "http");
    }

    @Test
    void shouldLetASecondCloserWaitForTheFirstInsteadOfClosingTheRestUnderIt() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Closing closing = new Closing();
        closing.push(() -> events.add("http"));
        closing.push(() -> {
            events.add("streams closing");
            entered.countDown();
            release.await();
            events.add("streams closed");
        });
        Thread hook = new Thread(closing::close, "hook");
        Thread main = new Thread(closing::close, "main");

        hook.start();
        entered.await();
        main.start();
        while (main.getState() != Thread.State.BLOCKED && main.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        release.countDown();
        hook.join();
        main.join();

        assertThat(events).containsExactly("streams closing", "streams closed", "http");
    }

    @Test
    void shouldCloseTheRestWhenOneFails() {
        Closing closing = new Closing();
        closing.push(() -> events.add("http"));
        closing.push(() -> {
            throw new IllegalStateException("broken");
        });

        closing.close();

        assertThat(events).containsExactly("http");
    }
}
