package io.snapshotter.topology;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.topology.TopologyConfig.GapPolicy;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.SnapshotProgress;
import io.snapshotter.registry.SchemaNotFoundException;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each event into its aggregate's record in the {@code aggregates} store and emits snapshots
 * as the aggregate type's policy asks.
 *
 * <p>Event-triggered snapshots are taken inline. Time-triggered ones are found through the
 * {@code snapshot-schedule} store, whose keys are (due time, aggregateId): a punctuation reads the
 * due prefix of that index and stops, so it costs in proportion to the aggregates that are due. It
 * starts where the last one ended, not at the start of the index: a RocksDB range scan steps over
 * the tombstones of the entries deleted before it, which would make every punctuation pay for the
 * whole history of snapshots taken. An
 * aggregate's own next event also takes its overdue time snapshot first, which makes stream-time
 * snapshots depend on the input alone.
 *
 * <p>A record from the snapshot requests source asks for a MANUAL snapshot of its key's aggregate,
 * taken here, in line with the fold, so it holds exactly the events folded before it. A request for
 * an aggregate this task does not hold, or for one with no events since its last snapshot, is skipped
 * (logged and counted): a snapshot's version identifies its state, so the same version is never
 * snapshotted twice.
 *
 * <p>Bad input is never folded and never lost: it goes to the dead-letter sink, see
 * {@link DeadLetterReason}.
 */
final class FoldProcessor extends ContextualProcessor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(FoldProcessor.class);
    private static final byte[] NOTHING = new byte[0];

    private final FoldSettings topology;
    private KeyValueStore<String, AggregateRecord> aggregates;
    private KeyValueStore<Bytes, byte[]> schedule;
    private FoldMetrics metrics;
    /** No schedule entry is due before this: where the next punctuation's scan starts. */
    private long scanFrom = Long.MIN_VALUE;

    FoldProcessor(FoldSettings topology) {
        this.topology = topology;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        super.init(context);
        aggregates = context.getStateStore(SnapshotTopology.AGGREGATES_STORE);
        schedule = context.getStateStore(SnapshotTopology.SCHEDULE_STORE);
        metrics = new FoldMetrics(context.metrics(), topology.meters(), context.taskId().toString());
        PunctuationType type = topology.clock() == SnapshotClock.STREAM_TIME
            ? PunctuationType.STREAM_TIME : PunctuationType.WALL_CLOCK_TIME;
        context.schedule(Duration.ofMillis(topology.punctuationIntervalMs()), type, this::emitDueSnapshots);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        try {
            if (isSnapshotRequest()) {
                takeRequestedSnapshot(record);
            } else {
                fold(record);
            }
        } catch (Rejected rejected) {
            context().forward(DeadLetters.of(record, context().recordMetadata().orElse(null), rejected.reason,
                rejected.getMessage(), context().currentSystemTimeMs()), SnapshotTopology.DEAD_LETTER_SINK);
            metrics.deadLettered(rejected.reason);
        }
    }

    @Override
    public void close() {
        metrics.close();
    }

    private void fold(Record<byte[], byte[]> record) {
        if (record.key() == null || record.key().length == 0) {
            throw new Rejected(DeadLetterReason.MISSING_AGGREGATE_ID, "record has no key");
        }
        String aggregateId = new String(record.key(), StandardCharsets.UTF_8);
        EventEnvelope event = decodeEnvelope(record.value());
        if (event.getAggregateId().isEmpty()) {
            throw new Rejected(DeadLetterReason.MISSING_AGGREGATE_ID, "envelope has an empty aggregateId");
        }
        if (!event.getAggregateId().equals(aggregateId)) {
            throw new Rejected(DeadLetterReason.AGGREGATE_ID_MISMATCH, "key '" + aggregateId
                + "' but envelope aggregateId '" + event.getAggregateId() + "'");
        }
        if (event.getSequence() < 1) {
            throw new Rejected(DeadLetterReason.INVALID_SEQUENCE, "sequence " + event.getSequence() + " is below 1");
        }
        RegisteredFold fold = topology.folds().forType(event.getAggregateType());
        if (fold == null) {
            throw new Rejected(DeadLetterReason.UNKNOWN_AGGREGATE_TYPE, "no fold for aggregate type '"
                + event.getAggregateType() + "'");
        }
        AggregateRecord current = aggregates.get(aggregateId);
        if (current != null && !current.getAggregateType().equals(event.getAggregateType())) {
            throw new Rejected(DeadLetterReason.AGGREGATE_TYPE_MISMATCH, "aggregate '" + aggregateId + "' is a "
                + current.getAggregateType() + ", event is for a " + event.getAggregateType());
        }
        SpecificRecord payload = decodePayload(fold, event.getPayload().array());
        long version = current == null ? 0 : current.getVersion();
        if (event.getSequence() <= version) {
            metrics.duplicateSkipped();
            return;
        }
        if (event.getSequence() > version + 1 && topology.gapPolicy() == GapPolicy.DEAD_LETTER) {
            throw new Rejected(DeadLetterReason.SEQUENCE_GAP, "sequence " + event.getSequence() + " after version "
                + version + ": events " + (version + 1) + ".." + (event.getSequence() - 1) + " are missing");
        }

        long now = clockTime();
        if (current != null && current.getEventsSinceSnapshot() > 0 && current.getSnapshotDueTime() <= now) {
            current = snapshot(aggregateId, current, SnapshotReason.TIME, timeSnapshotAt(current, now));
        }
        SpecificRecord state = current == null ? null : topology.decodeState(current.getState().array(), fold);
        SpecificRecord next;
        try {
            next = fold.fold().apply(state, new DomainEvent(event.getEventId(), aggregateId, event.getSequence(),
                event.getTimestamp(), payload));
        } catch (RuntimeException e) {
            throw new Rejected(DeadLetterReason.FOLD_FAILED, e.getMessage() != null ? e.getMessage() : e.toString());
        }
        if (next == null) {
            throw new Rejected(DeadLetterReason.FOLD_FAILED, fold.fold().getClass().getName() + " returned no state");
        }

        long pendingBefore = current == null ? 0 : current.getEventsSinceSnapshot();
        ByteBuffer nextState = ByteBuffer.wrap(topology.encodeState(next));
        AggregateRecord updated;
        if (current == null) {
            updated = new AggregateRecord(event.getAggregateType(), event.getSequence(), event.getEventId(),
                event.getTimestamp().toEpochMilli(), 1L, 0L, now, SnapshotPolicy.NEVER, fold.fold().version(), nextState);
        } else {
            // the store hands out a fresh copy on every get, so it is updated in place: a builder
            // would deep-copy the old state only to replace it
            updated = current;
            updated.setVersion(event.getSequence());
            updated.setLastEventId(event.getEventId());
            updated.setLastEventTimestamp(event.getTimestamp().toEpochMilli());
            updated.setEventsSinceSnapshot(pendingBefore + 1);
            updated.setFoldVersion(fold.fold().version());
            updated.setState(nextState);
        }

        SnapshotPolicy policy = topology.policyFor(event.getAggregateType());
        SnapshotProgress progress = progressOf(updated);
        if (policy.isDueAfterEvent(progress)) {
            snapshot(aggregateId, updated, SnapshotReason.COUNT, now);
        } else {
            if (pendingBefore == 0) {
                // Overdue already (the last snapshot is more than T ago): due now, not in the past,
                // so one snapshot covers the burst that ends an idle spell.
                long due = Math.max(policy.timeDue(progress), now);
                if (due != SnapshotPolicy.NEVER) {
                    schedule.put(scheduleKey(due, aggregateId), NOTHING);
                    updated.setSnapshotDueTime(due);
                    scanFrom = Math.min(scanFrom, due);
                }
            }
            aggregates.put(aggregateId, updated);
        }
        metrics.eventFolded();
    }

    private boolean isSnapshotRequest() {
        return context().recordMetadata().map(m -> m.topic().equals(topology.snapshotRequestsTopic())).orElse(false);
    }

    private void takeRequestedSnapshot(Record<byte[], byte[]> record) {
        if (record.key() == null || record.key().length == 0) {
            throw new Rejected(DeadLetterReason.MISSING_AGGREGATE_ID, "snapshot request has no key");
        }
        String aggregateId = new String(record.key(), StandardCharsets.UTF_8);
        SnapshotRequest request;
        try {
            request = SnapshotRequest.fromBytes(record.value());
        } catch (IllegalArgumentException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "snapshot request: " + e.getMessage());
        }
        AggregateRecord current = aggregates.get(aggregateId);
        if (current == null || current.getEventsSinceSnapshot() == 0) {
            LOG.info("Task {}: snapshot request {} by {} for '{}' skipped: {}", context().taskId(), request.requestId(),
                request.requestedBy(), aggregateId, current == null ? "no such aggregate"
                    : "nothing new since its snapshot at version " + current.getLastSnapshotVersion());
            metrics.snapshotRequestSkipped();
            return;
        }
        Headers headers = new RecordHeaders()
            .add(SnapshotRequest.REQUEST_ID_HEADER, request.requestId().getBytes(StandardCharsets.UTF_8))
            .add(SnapshotRequest.REQUESTED_BY_HEADER, request.requestedBy().getBytes(StandardCharsets.UTF_8));
        snapshot(aggregateId, current, SnapshotReason.MANUAL, clockTime(), headers);
    }

    /** Punctuator: snapshots the aggregates whose pending events are due by {@code timestamp}. */
    private void emitDueSnapshots(long timestamp) {
        metrics.punctuation().record(() -> emitDueSnapshotsNow(timestamp));
    }

    private void emitDueSnapshotsNow(long timestamp) {
        List<Bytes> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = schedule.range(scheduleKey(scanFrom, ""),
                scheduleKey(timestamp + 1, ""))) {
            while (it.hasNext() && due.size() < topology.maxSnapshotsPerPunctuation()) {
                due.add(it.next().key);
            }
        }
        // every entry due by then is handled below, or, when capped, every one before the last taken
        scanFrom = due.size() < topology.maxSnapshotsPerPunctuation()
            ? Math.max(scanFrom, timestamp + 1) : dueTimeOf(due.get(due.size() - 1));
        for (Bytes key : due) {
            String aggregateId = aggregateIdOf(key);
            AggregateRecord current = aggregates.get(aggregateId);
            if (current != null && current.getEventsSinceSnapshot() > 0 && current.getSnapshotDueTime() == dueTimeOf(key)) {
                snapshot(aggregateId, current, SnapshotReason.TIME, timeSnapshotAt(current, timestamp));
            } else {
                schedule.delete(key);
            }
        }
    }

    private AggregateRecord snapshot(String aggregateId, AggregateRecord current, SnapshotReason reason, long at) {
        return snapshot(aggregateId, current, reason, at, new RecordHeaders());
    }

    /** Emits a snapshot of {@code current} with {@code headers}, stores the reset bookkeeping and returns it. */
    private AggregateRecord snapshot(String aggregateId, AggregateRecord current, SnapshotReason reason, long at,
                                     Headers headers) {
        Snapshot snapshot = topology.snapshots().snapshotOf(aggregateId, aggregateId, current, at, reason);
        context().forward(new Record<>(aggregateId, snapshot, at, headers), SnapshotTopology.SNAPSHOTS_SINK);
        if (current.getSnapshotDueTime() != SnapshotPolicy.NEVER) {
            schedule.delete(scheduleKey(current.getSnapshotDueTime(), aggregateId));
        }
        // a new record sharing the state bytes (never modified): a builder would deep-copy them
        AggregateRecord after = new AggregateRecord(current.getAggregateType(), current.getVersion(),
            current.getLastEventId(), current.getLastEventTimestamp(), 0L, current.getVersion(), at,
            SnapshotPolicy.NEVER, current.getFoldVersion(), current.getState());
        aggregates.put(aggregateId, after);
        metrics.snapshotEmitted(current.getAggregateType(), reason, snapshot.getState().remaining(),
            current.getEventsSinceSnapshot());
        return after;
    }

    /**
     * On stream time a time snapshot is stamped with its due time, not with the moment a punctuation
     * happened to find it, so a replay stamps it the same.
     */
    private long timeSnapshotAt(AggregateRecord current, long now) {
        return topology.clock() == SnapshotClock.STREAM_TIME ? current.getSnapshotDueTime() : now;
    }

    private long clockTime() {
        return topology.clock() == SnapshotClock.STREAM_TIME
            ? context().currentStreamTimeMs() : context().currentSystemTimeMs();
    }

    private EventEnvelope decodeEnvelope(byte[] value) {
        try {
            return topology.codec().decode(value, EventEnvelope.class);
        } catch (SerializationException | SchemaNotFoundException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "event envelope: " + e.getMessage());
        }
    }

    private SpecificRecord decodePayload(RegisteredFold fold, byte[] payload) {
        Schema writer;
        try {
            writer = topology.codec().writerSchemaOf(payload);
        } catch (SerializationException | SchemaNotFoundException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "payload: " + e.getMessage());
        }
        Schema reader = fold.readerSchemaFor(writer);
        if (reader == null) {
            throw new Rejected(DeadLetterReason.UNKNOWN_EVENT_TYPE, writer.getFullName() + " is not an event of "
                + fold.fold().aggregateType());
        }
        try {
            return (SpecificRecord) topology.codec().decode(payload, reader);
        } catch (SerializationException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "payload: " + e.getMessage());
        }
    }

    private static SnapshotProgress progressOf(AggregateRecord record) {
        return new SnapshotProgress(record.getAggregateType(), record.getVersion(), record.getEventsSinceSnapshot(),
            record.getLastSnapshotVersion(), record.getLastSnapshotTime());
    }

    /** Schedule keys sort by due time (sign bit flipped, big-endian), then aggregateId. */
    static Bytes scheduleKey(long dueTime, String aggregateId) {
        byte[] id = aggregateId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).putLong(dueTime ^ Long.MIN_VALUE).put(id).array());
    }

    private static long dueTimeOf(Bytes key) {
        return ByteBuffer.wrap(key.get()).getLong() ^ Long.MIN_VALUE;
    }

    private static String aggregateIdOf(Bytes key) {
        byte[] bytes = key.get();
        return new String(bytes, Long.BYTES, bytes.length - Long.BYTES, StandardCharsets.UTF_8);
    }

    /** An input record that cannot be folded, and why. */
    private static final class Rejected extends RuntimeException {
        private final DeadLetterReason reason;

        Rejected(DeadLetterReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
