package io.snapshotter.app;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a stream thread that died of an unexpected error (a broker or registry outage, say) up
 * to a bound, then shuts the client down rather than loop forever on a persistent fault. Bad input
 * never gets here: it is dead-lettered by the fold processor.
 */
final class BoundedThreadReplacement implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedThreadReplacement.class);

    private final int maxReplacements;
    private final AtomicInteger replacements = new AtomicInteger();

    BoundedThreadReplacement(int maxReplacements) {
        this.maxReplacements = maxReplacements;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        int replaced = replacements.incrementAndGet();
        if (replaced > maxReplacements) {
            LOG.error("Stream thread failed after {} replacements; shutting down", maxReplacements, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.warn("Stream thread failed; replacing it ({} of {})", replaced, maxReplacements, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
