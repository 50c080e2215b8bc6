package io.snapshotter.topology;

import io.snapshotter.schema.SnapshotReason;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * The fold processor's counters, registered as Kafka Streams custom metrics (group
 * {@code stream-snapshotter-metrics}, tagged with the task id), so they appear wherever the
 * application's metrics go: {@code *-total} and {@code *-rate} for events folded, duplicates
 * skipped, dead letters by reason and snapshots by reason.
 */
final class FoldMetrics {

    static final String SCOPE = "snapshotter";

    private final StreamsMetrics metrics;
    private final String taskId;
    private final Sensor eventsFolded;
    private final Sensor duplicatesSkipped;
    private final Map<DeadLetterReason, Sensor> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Map<SnapshotReason, Sensor> snapshots = new EnumMap<>(SnapshotReason.class);

    FoldMetrics(StreamsMetrics metrics, String taskId) {
        this.metrics = metrics;
        this.taskId = taskId;
        eventsFolded = sensor("events-folded");
        duplicatesSkipped = sensor("duplicates-skipped");
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, sensor("dead-letters-" + name(reason)));
        }
        for (SnapshotReason reason : SnapshotReason.values()) {
            snapshots.put(reason, sensor("snapshots-" + name(reason)));
        }
    }

    void eventFolded() {
        eventsFolded.record();
    }

    void duplicateSkipped() {
        duplicatesSkipped.record();
    }

    void deadLettered(DeadLetterReason reason) {
        deadLetters.get(reason).record();
    }

    void snapshotEmitted(SnapshotReason reason) {
        snapshots.get(reason).record();
    }

    void close() {
        metrics.removeSensor(eventsFolded);
        metrics.removeSensor(duplicatesSkipped);
        deadLetters.values().forEach(metrics::removeSensor);
        snapshots.values().forEach(metrics::removeSensor);
    }

    private Sensor sensor(String operation) {
        return metrics.addRateTotalSensor(SCOPE, taskId, operation, Sensor.RecordingLevel.INFO);
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
