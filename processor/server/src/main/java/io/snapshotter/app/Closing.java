package io.snapshotter.app;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a processor has opened, closed in reverse order, each once: closing again, or from two
 * threads at once (a shutdown hook and {@code main}), waits for the first close and does nothing
 * more. A failing close is logged and the rest are still closed.
 */
final class Closing implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Closing.class);

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Closed before everything pushed earlier. */
    synchronized void push(AutoCloseable resource) {
        opened.push(resource);
    }

    @Override
    public synchronized void close() {
        while (!opened.isEmpty()) {
            AutoCloseable next = opened.pop();
            try {
                next.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", next, e);
            }
        }
    }
}
