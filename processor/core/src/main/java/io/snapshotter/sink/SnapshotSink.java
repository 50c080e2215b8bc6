package io.snapshotter.sink;

import java.util.List;

/**
 * A destination of committed snapshots (the DynamoDB table, say), written by a {@link SnapshotRelay}
 * that owns the consumer, the offsets and the dead-letter topic: the sink only writes. Modelled on
 * Debezium Server's sink ({@code handleBatch(records, committer)}) and Kafka Connect's
 * {@code SinkTask} with its {@code ErrantRecordReporter}.
 *
 * <p>Contract: {@link #write} returns only once every record of the batch is durably in the sink or
 * has been handed to {@link SinkContext#reportErrant}; the relay then commits the batch's offsets, and
 * only then. Writes must be idempotent (a batch is written again after a crash or a rebalance): key
 * them by (aggregateId, version). While waiting out an outage, a sink calls
 * {@link SinkContext#keepAlive()} and gives up with {@link Stopped} once
 * {@link SinkContext#running()} turns false. A failure that waiting does not cure (a missing table,
 * refused credentials) is thrown: the relay then shows itself not alive with that error, and restarts
 * after a backoff. One relay thread calls a sink; it need not be thread-safe. A sink may call the
 * context from threads of its own (writing a batch's parts side by side), one call at a time and only
 * before {@link #write} returns, and never calls {@link SinkContext#keepAlive()} while a write to its
 * destination is in flight: the relay's consumer is not thread-safe, and a rebalance under a write
 * could let the partition's new owner meet it.
 */
public interface SnapshotSink extends AutoCloseable {

    /**
     * Short name of the sink, e.g. {@code dynamodb}: its relay's consumer group is
     * {@code <application.id>-<name>-writer}, its metrics are {@code snapshotter.<name>.*}.
     */
    String name();

    /**
     * Writes {@code batch} (in topic order per partition).
     *
     * @return how many snapshots the sink took (reported ones excluded)
     * @throws Stopped when the relay stopped before the sink took every record
     */
    int write(List<SinkRecord> batch, SinkContext context);

    /** Releases what the sink holds (not a client it was given). */
    @Override
    default void close() {
    }

    /** The relay stopped while records were still unwritten: nothing of the batch is committed. */
    final class Stopped extends RuntimeException {
        public Stopped() {
            super("stopped before the sink took every record", null, false, false);
        }
    }
}
