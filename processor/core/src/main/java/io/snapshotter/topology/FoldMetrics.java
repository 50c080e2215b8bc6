package io.snapshotter.topology;

import io.snapshotter.deadletter.DeadLetterReason;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.snapshotter.schema.SnapshotReason;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * The fold processor's metrics, one mechanism per kind:
 * <ul>
 *   <li>Counts are Kafka Streams custom sensors (group {@code stream-snapshotter-metrics}, tagged
 *       with the task id), so they appear wherever the application's metrics go (JMX, the
 *       Micrometer binder): {@code *-total} and {@code *-rate} for events folded, duplicates
 *       skipped, dead letters by reason, snapshots by reason and manual snapshot requests skipped.
 *   <li>Distributions, which Kafka sensors can only reduce to an average and a maximum, are
 *       Micrometer histograms: {@link #SNAPSHOT_SIZE}, {@link #SNAPSHOT_EVENTS} and
 *       {@link #PUNCTUATION}.
 *   <li>{@link #PARKED}, a gauge per task of the aggregates parked.
 * </ul>
 */
public final class FoldMetrics {

    static final String SCOPE = "snapshotter";
    /** Bytes of a snapshot's state as stored (after compression), by aggregate type and reason. */
    public static final String SNAPSHOT_SIZE = "snapshotter.snapshot.size";
    /** Events folded since the previous snapshot, counted when a snapshot is taken, by type and reason. */
    public static final String SNAPSHOT_EVENTS = "snapshotter.snapshot.events.since.last";
    /** Time one punctuation takes to find and take the due time snapshots. */
    public static final String PUNCTUATION = "snapshotter.punctuation";
    /** Aggregates parked (their next event was rejected) in a task, tagged {@code task}. */
    public static final String PARKED = "snapshotter.aggregates.parked";

    private final StreamsMetrics metrics;
    private final MeterRegistry meters;
    private final String taskId;
    private final Sensor eventsFolded;
    private final Sensor duplicatesSkipped;
    private final Sensor snapshotRequestsSkipped;
    private final Map<DeadLetterReason, Sensor> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Map<SnapshotReason, Sensor> snapshots = new EnumMap<>(SnapshotReason.class);
    private final Map<String, SnapshotMeters> snapshotMeters = new HashMap<>();
    private final Timer punctuation;
    private final Gauge parked;

    FoldMetrics(StreamsMetrics metrics, MeterRegistry meters, String taskId, LongSupplier parkedAggregates) {
        this.metrics = metrics;
        this.meters = meters;
        this.taskId = taskId;
        eventsFolded = sensor("events-folded");
        duplicatesSkipped = sensor("duplicates-skipped");
        snapshotRequestsSkipped = sensor("snapshot-requests-skipped");
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, sensor("dead-letters-" + name(reason)));
        }
        for (SnapshotReason reason : SnapshotReason.values()) {
            snapshots.put(reason, sensor("snapshots-" + name(reason)));
        }
        punctuation = Timer.builder(PUNCTUATION)
            .description("Time one punctuation takes to find and take the due time snapshots")
            .publishPercentileHistogram()
            .register(meters);
        parked = Gauge.builder(PARKED, parkedAggregates, LongSupplier::getAsLong)
            .description("Aggregates parked because their next event was rejected; later events wait in the dead-letter topic")
            .tag("task", taskId)
            .strongReference(true)
            .register(meters);
    }

    void eventFolded() {
        eventsFolded.record();
    }

    void duplicateSkipped() {
        duplicatesSkipped.record();
    }

    void snapshotRequestSkipped() {
        snapshotRequestsSkipped.record();
    }

    void deadLettered(DeadLetterReason reason) {
        deadLetters.get(reason).record();
    }

    void snapshotEmitted(String aggregateType, SnapshotReason reason, int storedBytes, long eventsSinceLast) {
        snapshots.get(reason).record();
        SnapshotMeters distributions = snapshotMeters.computeIfAbsent(aggregateType + '\u0000' + reason,
            k -> new SnapshotMeters(meters, aggregateType, reason));
        distributions.size.record(storedBytes);
        distributions.events.record(eventsSinceLast);
    }

    Timer punctuation() {
        return punctuation;
    }

    void close() {
        metrics.removeSensor(eventsFolded);
        metrics.removeSensor(duplicatesSkipped);
        metrics.removeSensor(snapshotRequestsSkipped);
        deadLetters.values().forEach(metrics::removeSensor);
        snapshots.values().forEach(metrics::removeSensor);
        meters.remove(parked);
    }

    private Sensor sensor(String operation) {
        return metrics.addRateTotalSensor(SCOPE, taskId, operation, Sensor.RecordingLevel.INFO);
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The distributions of one (aggregate type, reason), shared by the tasks of this process. */
    private record SnapshotMeters(DistributionSummary size, DistributionSummary events) {

        SnapshotMeters(MeterRegistry meters, String aggregateType, SnapshotReason reason) {
            this(DistributionSummary.builder(SNAPSHOT_SIZE)
                    .description("Bytes of a snapshot's state as stored (after compression)")
                    .baseUnit("bytes")
                    .tags("aggregate_type", aggregateType, "reason", reason.name())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(16.0)
                    .maximumExpectedValue(16.0 * 1024 * 1024)
                    .register(meters),
                DistributionSummary.builder(SNAPSHOT_EVENTS)
                    .description("Events folded since the previous snapshot, when a snapshot is taken")
                    .tags("aggregate_type", aggregateType, "reason", reason.name())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(1.0)
                    .maximumExpectedValue(1_000_000.0)
                    .register(meters));
        }
    }
}
