package io.snapshotter.sink;

import io.snapshotter.deadletter.DeadLetterReason;

/** What a {@link SnapshotSink} may ask of its relay while it writes a batch. */
public interface SinkContext {

    /**
     * Between retries: keeps the relay in its consumer group and its lag current. Its partitions stay
     * paused; what a poll returns meanwhile is kept for the next batch, never skipped.
     */
    void keepAlive();

    /**
     * False once a rebalance during this batch has taken the record's partition (even where it
     * assigned it back): the sink leaves the record unwritten, and the relay neither commits nor
     * dead-letters it. Its new owner writes it from the committed offset, and a write after that one
     * could bring back a snapshot the owner's retention has deleted already. Only {@link #keepAlive()}
     * changes the answer (the new owner gets the partition once this relay has polled there), so a sink
     * asks before each call to its destination.
     */
    boolean owns(SinkRecord record);

    /**
     * Which ownership of the record's partition the batch is written under: a number that changes
     * whenever the partition was not this relay's throughout (a rebalance gave it to another writer
     * meanwhile, or the relay restarted). While it stays the same, the relay's sink is the only writer
     * of the partition's aggregates, so what it remembers having written of them is what the
     * destination holds; under another, what it remembers may be stale.
     */
    long ownership(SinkRecord record);

    /** False once the relay is stopping: a sink waiting out an outage then throws {@link SnapshotSink.Stopped}. */
    boolean running();

    /**
     * A snapshot the sink cannot take (too large, say): sent to the dead-letter topic with its original
     * bytes and the reason, counted, and committed with the batch. It stays on the snapshot topic.
     */
    void reportErrant(SinkRecord record, DeadLetterReason reason, String error);
}
