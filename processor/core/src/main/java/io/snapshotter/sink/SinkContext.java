package io.snapshotter.sink;

import io.snapshotter.deadletter.DeadLetterReason;

/** What a {@link SnapshotSink} may ask of its relay while it writes a batch. */
public interface SinkContext {

    /**
     * Between retries: keeps the relay in its consumer group and its lag current. Its partitions stay
     * paused; what a poll returns meanwhile is kept for the next batch, never skipped.
     */
    void keepAlive();

    /** False once the relay is stopping: a sink waiting out an outage then throws {@link SnapshotSink.Stopped}. */
    boolean running();

    /**
     * A snapshot the sink cannot take (too large, say): sent to the dead-letter topic with its original
     * bytes and the reason, counted, and committed with the batch. It stays on the snapshot topic.
     */
    void reportErrant(SinkRecord record, DeadLetterReason reason, String error);
}
