package io.snapshotter.topology;

import io.snapshotter.deadletter.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.snapshotter.schema.SnapshotReason;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The fold processor's metrics, Micrometer meters under the one prefix {@code snapshotter_}:
 * <ul>
 *   <li>Counters of this process, shared by its tasks and kept when a task moves away (so
 *       {@code rate()} and {@code increase()} see one series per process): {@link #EVENTS_FOLDED},
 *       {@link #DUPLICATES_SKIPPED}, {@link #DEAD_LETTERS} and {@link #SNAPSHOTS} by {@code reason}
 *       (every reason registered at 0, so a dashboard has its series before the first one),
 *       {@link #SNAPSHOT_REQUESTS_SKIPPED}.
 *   <li>Distributions: {@link #SNAPSHOT_SIZE}, {@link #SNAPSHOT_EVENTS} and {@link #PUNCTUATION}.
 *   <li>{@link #PARKED}, a gauge per task of the aggregates parked, removed with the task.
 * </ul>
 */
public final class FoldMetrics {

    /** Events folded into an aggregate. */
    public static final String EVENTS_FOLDED = "snapshotter.events.folded";
    /** Events skipped as duplicates of one folded before. */
    public static final String DUPLICATES_SKIPPED = "snapshotter.duplicates.skipped";
    /** Records dead-lettered by the fold processor, tagged {@code reason} (a {@link DeadLetterReason}). */
    public static final String DEAD_LETTERS = "snapshotter.dead.letters";
    /** Snapshots emitted, tagged {@code reason} (COUNT, TIME, MANUAL). */
    public static final String SNAPSHOTS = "snapshotter.snapshots";
    /** Manual snapshot requests skipped (nothing new since the last snapshot, or no such aggregate here). */
    public static final String SNAPSHOT_REQUESTS_SKIPPED = "snapshotter.snapshot.requests.skipped";
    /** Bytes of a snapshot's state as stored (after compression), by aggregate type and reason. */
    public static final String SNAPSHOT_SIZE = "snapshotter.snapshot.size";
    /** Events folded since the previous snapshot, counted when a snapshot is taken, by type and reason. */
    public static final String SNAPSHOT_EVENTS = "snapshotter.snapshot.events.since.last";
    /** Time one punctuation takes to find and take the due time snapshots. */
    public static final String PUNCTUATION = "snapshotter.punctuation";
    /** Aggregates parked (their next event was rejected) in a task, tagged {@code task}. */
    public static final String PARKED = "snapshotter.aggregates.parked";

    private final MeterRegistry meters;
    private final Counter eventsFolded;
    private final Counter duplicatesSkipped;
    private final Counter snapshotRequestsSkipped;
    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Map<SnapshotReason, Counter> snapshots = new EnumMap<>(SnapshotReason.class);
    private final Map<String, SnapshotMeters> snapshotMeters = new HashMap<>();
    private final Timer punctuation;
    private final Gauge parked;

    FoldMetrics(MeterRegistry meters, String taskId, LongSupplier parkedAggregates) {
        this.meters = meters;
        eventsFolded = Counter.builder(EVENTS_FOLDED).description("Events folded into an aggregate").register(meters);
        duplicatesSkipped = Counter.builder(DUPLICATES_SKIPPED)
            .description("Events skipped as duplicates of one folded before").register(meters);
        snapshotRequestsSkipped = Counter.builder(SNAPSHOT_REQUESTS_SKIPPED)
            .description("Manual snapshot requests skipped: nothing folded since the last snapshot, or no such "
                + "aggregate in the task").register(meters);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, Counter.builder(DEAD_LETTERS).description("Records dead-lettered, by reason")
                .tag("reason", reason.name()).register(meters));
        }
        for (SnapshotReason reason : SnapshotReason.values()) {
            snapshots.put(reason, Counter.builder(SNAPSHOTS).description("Snapshots emitted, by reason")
                .tag("reason", reason.name()).register(meters));
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
        eventsFolded.increment();
    }

    void duplicateSkipped() {
        duplicatesSkipped.increment();
    }

    void snapshotRequestSkipped() {
        snapshotRequestsSkipped.increment();
    }

    void deadLettered(DeadLetterReason reason) {
        deadLetters.get(reason).increment();
    }

    void snapshotEmitted(String aggregateType, SnapshotReason reason, int storedBytes, long eventsSinceLast) {
        snapshots.get(reason).increment();
        SnapshotMeters distributions = snapshotMeters.computeIfAbsent(aggregateType + '\u0000' + reason,
            k -> new SnapshotMeters(meters, aggregateType, reason));
        distributions.size.record(storedBytes);
        distributions.events.record(eventsSinceLast);
    }

    Timer punctuation() {
        return punctuation;
    }

    void close() {
        meters.remove(parked);
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
