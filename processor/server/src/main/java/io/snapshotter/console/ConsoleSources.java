package io.snapshotter.console;

import io.snapshotter.sink.SnapshotRelay;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the web console's status reads, beside the HTTP API's own sources.
 *
 * @param writer    the status of the snapshot store's writer (the DynamoDB relay); empty without one
 * @param writerLag snapshots on the topic not yet in the store; empty without a writer
 */
public record ConsoleSources(Assignments assignments, RecentActivity activity,
                             Optional<Supplier<SnapshotRelay.Status>> writer, Optional<LongSupplier> writerLag) {
}
