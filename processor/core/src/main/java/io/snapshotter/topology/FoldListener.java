package io.snapshotter.topology;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.schema.Snapshot;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Told what the fold processor does as it does it: each event folded, each snapshot taken, each
 * record dead-lettered. For live views of the fold (the web console's); the counts to monitor are
 * the {@link FoldMetrics}.
 *
 * <p>Called on the stream threads, inside their transactions: an implementation is thread-safe,
 * quick, and never throws. What a transaction that aborts did was told all the same, and is told
 * again when the records are processed once more.
 */
public interface FoldListener {

    /** Told nothing. */
    FoldListener NONE = new FoldListener() {
    };

    /** An event was folded into its aggregate. */
    default void eventFolded() {
    }

    /** A snapshot was emitted to the snapshot topic. */
    default void snapshotTaken(Snapshot snapshot) {
    }

    /** A record was sent to the dead-letter topic, as {@code deadLetter} (its headers say why and from where). */
    default void deadLettered(DeadLetterReason reason, Record<byte[], byte[]> deadLetter) {
    }
}
