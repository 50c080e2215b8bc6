package io.snapshotter.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a replay does.
 *
 * @param from             empty for a full replay from the earliest offsets; otherwise the point in
 *                         (event) time whose state the aggregates are seeded with
 * @param seedSource       where the seeds of a replay {@code from} a point are read
 * @param progressInterval how often progress is reported
 * @param dryRun           print what would be reset and change nothing
 */
public record ReplayOptions(Optional<Instant> from, SeedSource seedSource, Duration progressInterval, boolean dryRun) {

    /** Where seed snapshots come from. */
    public enum SeedSource {
        /** DynamoDB when {@code dynamodb.enabled}, else the snapshots topic. */
        AUTO,
        /** The snapshots topic (compacted: it may hold only the newest snapshot of each aggregate). */
        TOPIC,
        /** The DynamoDB table (the newest K snapshots of each aggregate). */
        DYNAMODB
    }

    public static ReplayOptions full() {
        return new ReplayOptions(Optional.empty(), SeedSource.AUTO, Duration.ofSeconds(1), false);
    }

    public static ReplayOptions from(Instant from, SeedSource seedSource) {
        return new ReplayOptions(Optional.of(from), seedSource, Duration.ofSeconds(1), false);
    }
}
