package io.snapshotter.tests.testing;

import java.time.Duration;

/**
 * Waiting for a condition in tests against running components, never a bare sleep. A condition
 * that throws (a store handle gone stale in a rebalance, a service still starting) is "not yet";
 * if time runs out, the last exception is the timeout's cause.
 */
public final class Await {

    /** A condition that may throw while the system settles. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    public static void until(String what, Duration timeout, Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting until " + what, last);
            }
            Thread.sleep(100);
        }
    }
}
