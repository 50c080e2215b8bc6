package io.snapshotter.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a stream thread that died of an unexpected error (a broker or registry outage, say) up
 * to a bound within a sliding window, then shuts the client down rather than loop forever on a
 * persistent fault. The window keeps a process that runs for months from using up its budget on
 * failures days apart; a burst still stops it. Bad input never gets here: it is dead-lettered by
 * the fold processor.
 */
final class BoundedThreadReplacement implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedThreadReplacement.class);

    private final int maxReplacements;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    /** When each replacement within the window happened, oldest first. */
    private final Deque<Long> replacedAt = new ArrayDeque<>();

    BoundedThreadReplacement(int maxReplacements, Duration window) {
        this(maxReplacements, window, System::nanoTime);
    }

    /** @param nanoTime a monotonic clock in nanoseconds, {@link System#nanoTime} but in tests */
    BoundedThreadReplacement(int maxReplacements, Duration window, LongSupplier nanoTime) {
        this.maxReplacements = maxReplacements;
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = nanoTime.getAsLong();
        while (!replacedAt.isEmpty() && now - replacedAt.peekFirst() >= windowNanos) {
            replacedAt.removeFirst();
        }
        if (replacedAt.size() >= maxReplacements) {
            LOG.error("Stream thread failed after {} replacements within {}; shutting down", replacedAt.size(),
                Duration.ofNanos(windowNanos), exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacedAt.addLast(now);
        LOG.warn("Stream thread failed; replacing it ({} of {} within {})", replacedAt.size(), maxReplacements,
            Duration.ofNanos(windowNanos), exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
