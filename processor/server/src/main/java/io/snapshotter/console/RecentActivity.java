package io.snapshotter.console;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.topology.FoldListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What this instance's fold did since the process started, as the web console shows it: events
 * folded, snapshots by reason and dead letters by reason (counts that only grow: the console charts
 * their rates), and the newest {@value #RECENT} snapshots and dead letters. Fed by the topology as a
 * {@link FoldListener}, so it sees what this instance's tasks do, and, like the transactions it is
 * told from inside, it may see a record twice after an aborted one.
 */
public final class RecentActivity implements FoldListener {

    /** Snapshots and dead letters kept, each. */
    public static final int RECENT = 20;
    /** Characters kept of a dead letter's key and error. */
    static final int MAX_KEY_CHARS = 256;
    static final int MAX_ERROR_CHARS = 500;

    /** A snapshot taken here, {@code at} when it was emitted. */
    public record SnapshotTaken(String aggregateId, String aggregateType, long version, SnapshotReason reason,
                                int storedBytes, String checksum, Instant at) {
    }

    /**
     * A record dead-lettered here, {@code at} when it was rejected.
     *
     * @param key    the record key as text (cut to {@value #MAX_KEY_CHARS} characters), null without one
     * @param source where the record is: {@code topic-partition@offset}, or null when unknown
     */
    public record DeadLettered(String key, DeadLetterReason reason, String error, String source, Instant at) {
    }

    /** The counts since the start, every reason present (0 until one happens), in the enums' order. */
    public record Counts(long eventsFolded, Map<SnapshotReason, Long> snapshots, Map<DeadLetterReason, Long> deadLetters) {
    }

    private final Clock clock;
    private final LongAdder eventsFolded = new LongAdder();
    private final Map<SnapshotReason, LongAdder> snapshots = counters(SnapshotReason.class);
    private final Map<DeadLetterReason, LongAdder> deadLetters = counters(DeadLetterReason.class);
    private final Ring<SnapshotTaken> recentSnapshots = new Ring<>(RECENT);
    private final Ring<DeadLettered> recentDeadLetters = new Ring<>(RECENT);

    public RecentActivity(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void eventFolded() {
        eventsFolded.increment();
    }

    @Override
    public void snapshotTaken(Snapshot snapshot) {
        SnapshotReason reason = snapshot.getMetadata().getReason();
        snapshots.get(reason).increment();
        recentSnapshots.add(new SnapshotTaken(snapshot.getAggregateId(), snapshot.getAggregateType(),
            snapshot.getVersion(), reason, snapshot.getState().remaining(), snapshot.getChecksum(), clock.instant()));
    }

    @Override
    public void deadLettered(DeadLetterReason reason, Record<byte[], byte[]> deadLetter) {
        deadLetters.get(reason).increment();
        String topic = DeadLetters.header(deadLetter.headers(), DeadLetters.SOURCE_TOPIC);
        String source = topic == null ? null : topic + "-"
            + DeadLetters.header(deadLetter.headers(), DeadLetters.SOURCE_PARTITION) + "@"
            + DeadLetters.header(deadLetter.headers(), DeadLetters.SOURCE_OFFSET);
        String key = deadLetter.key() == null ? null
            : cut(StandardCharsets.UTF_8.decode(ByteBuffer.wrap(deadLetter.key())).toString(), MAX_KEY_CHARS);
        recentDeadLetters.add(new DeadLettered(key, reason,
            cut(DeadLetters.header(deadLetter.headers(), DeadLetters.ERROR), MAX_ERROR_CHARS), source, clock.instant()));
    }

    public Counts counts() {
        return new Counts(eventsFolded.sum(), sums(snapshots), sums(deadLetters));
    }

    /** The newest snapshots taken here, newest first. */
    public List<SnapshotTaken> recentSnapshots() {
        return recentSnapshots.newestFirst();
    }

    /** The newest dead letters sent from here, newest first. */
    public List<DeadLettered> recentDeadLetters() {
        return recentDeadLetters.newestFirst();
    }

    private static <E extends Enum<E>> Map<E, LongAdder> counters(Class<E> type) {
        Map<E, LongAdder> counters = new EnumMap<>(type);
        for (E value : type.getEnumConstants()) {
            counters.put(value, new LongAdder());
        }
        return Collections.unmodifiableMap(counters);
    }

    private static <E extends Enum<E>> Map<E, Long> sums(Map<E, LongAdder> counters) {
        Map<E, Long> sums = new LinkedHashMap<>();
        counters.forEach((reason, count) -> sums.put(reason, count.sum()));
        return sums;
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
