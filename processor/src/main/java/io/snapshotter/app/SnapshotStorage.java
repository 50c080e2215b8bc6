package io.snapshotter.app;

import io.snapshotter.snapshot.SnapshotRetention;
import io.snapshotter.snapshot.SnapshotStore;
import java.util.Optional;

/**
 * The snapshot store the HTTP API reads history from and sweeps, and what must be closed with it.
 * Empty when no store is configured: the snapshot endpoints then answer 503.
 *
 * @param closer closed when the processor closes, after Kafka Streams (a store's client, its writer)
 */
public record SnapshotStorage(Optional<SnapshotStore> store, Optional<SnapshotRetention> retention,
                              AutoCloseable closer) {

    public static SnapshotStorage none() {
        return new SnapshotStorage(Optional.empty(), Optional.empty(), () -> { });
    }

    public static SnapshotStorage of(SnapshotStore store, SnapshotRetention retention, AutoCloseable closer) {
        return new SnapshotStorage(Optional.of(store), Optional.of(retention), closer);
    }
}
