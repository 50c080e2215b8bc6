package io.snapshotter.app;

import io.snapshotter.sink.SnapshotRelay;
import io.snapshotter.snapshot.SnapshotRetention;
import io.snapshotter.snapshot.SnapshotHistory;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The snapshot store the HTTP API reads history from and sweeps, and what must be closed with it.
 * Empty when no store is configured: the snapshot endpoints then answer 503.
 *
 * @param writer    the status of the relay writing the store, when there is one (for {@code /ready}, {@code replay})
 * @param writerLag the snapshots that relay has yet to write (for the web console); empty without one
 * @param closer    closed when the processor closes, after Kafka Streams (a store's client, its writer)
 */
public record SnapshotBackend(Optional<SnapshotHistory> history, Optional<SnapshotRetention> retention,
                              Optional<Supplier<SnapshotRelay.Status>> writer, Optional<LongSupplier> writerLag,
                              AutoCloseable closer) {

    public static SnapshotBackend none() {
        return new SnapshotBackend(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), () -> { });
    }

    public static SnapshotBackend of(SnapshotHistory store, SnapshotRetention retention, AutoCloseable closer) {
        return new SnapshotBackend(Optional.of(store), Optional.of(retention), Optional.empty(), Optional.empty(), closer);
    }

    public static SnapshotBackend of(SnapshotHistory store, SnapshotRetention retention, SnapshotRelay writer,
                                     AutoCloseable closer) {
        return new SnapshotBackend(Optional.of(store), Optional.of(retention), Optional.of(writer::status),
            Optional.of(writer::lag), closer);
    }
}
