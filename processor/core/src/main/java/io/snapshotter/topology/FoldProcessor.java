package io.snapshotter.topology;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.topology.TopologyConfig.GapPolicy;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.topology.FoldRegistry.RegisteredFold;
import io.snapshotter.policy.SnapshotPolicy;
import io.snapshotter.policy.SnapshotProgress;
import io.snapshotter.registry.RegistryMisconfiguredException;
import io.snapshotter.registry.RegistryUnavailableException;
import io.snapshotter.registry.SchemaNotFoundException;
import io.snapshotter.registry.UnusableSchemaException;
import io.snapshotter.schema.store.Parked;
import io.snapshotter.schema.store.SkippedRange;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
 * due prefix of that index and stops, so it costs in proportion to the entries that are due. An
 * aggregate has at most one entry ({@code scheduledAt}), at or before its due time: a snapshot
 * leaves it, and the punctuation moves it on or removes it when it comes due, so snapshots cost the
 * index nothing. It
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
 * {@link DeadLetterReason}. Whatever a plugin (fold, policy) throws short of a
 * {@link VirtualMachineError} rejects the event that made it throw. An event rejected when it is its
 * aggregate's next one (the fold refused it, its payload or new state is unusable) parks the
 * aggregate at that sequence ({@link Parked}): later events are dead-lettered as
 * {@link DeadLetterReason#AGGREGATE_PARKED} until an event with the parked sequence folds (re-driven
 * once the fold or the data is fixed), which un-parks it. A registry that cannot be reached is not
 * bad input: the record is retried, with backoff, until the registry answers.
 */
final class FoldProcessor extends ContextualProcessor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(FoldProcessor.class);
    private static final byte[] NOTHING = new byte[0];
    private static final ByteBuffer NO_STATE = ByteBuffer.wrap(NOTHING);
    /** DynamoDB's limit for a partition key, and far beyond any real id. */
    static final int MAX_AGGREGATE_ID_BYTES = 1024;
    /** Skipped ranges kept per aggregate; beyond it the oldest two are merged (a duplicate may then read as late). */
    static final int MAX_SKIPPED_RANGES = 32;
    private static final long MAX_REGISTRY_BACKOFF_MS = 10_000;

    private final FoldSettings topology;
    private AggregateStore aggregates;
    private KeyValueStore<Bytes, byte[]> schedule;
    private KeyValueStore<String, byte[]> parkedIndex;
    private FoldMetrics metrics;
    private long parkedCount;
    /** No schedule entry is due before this: where the next punctuation's scan starts. */
    private long scanFrom = Long.MIN_VALUE;

    FoldProcessor(FoldSettings topology) {
        this.topology = topology;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        super.init(context);
        aggregates = AggregateStore.of(context.getStateStore(SnapshotTopology.AGGREGATES_STORE));
        schedule = context.getStateStore(SnapshotTopology.SCHEDULE_STORE);
        parkedIndex = context.getStateStore(SnapshotTopology.PARKED_STORE);
        try (KeyValueIterator<String, byte[]> it = parkedIndex.all()) {
            while (it.hasNext()) {
                it.next();
                parkedCount++;
            }
        }
        metrics = new FoldMetrics(topology.meters(), context.taskId().toString(), () -> parkedCount);
        PunctuationType type = topology.clock() == SnapshotClock.STREAM_TIME
            ? PunctuationType.STREAM_TIME : PunctuationType.WALL_CLOCK_TIME;
        context.schedule(Duration.ofMillis(topology.punctuationIntervalMs()), type, this::emitDueSnapshots);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (isSnapshotRequest()) {
                    takeRequestedSnapshot(record);
                } else {
                    fold(record);
                }
                return;
            } catch (Rejected rejected) {
                Record<byte[], byte[]> deadLetter = DeadLetters.of(record, context().recordMetadata().orElse(null),
                    rejected.reason, rejected.getMessage(), context().currentSystemTimeMs());
                context().forward(deadLetter, SnapshotTopology.DEAD_LETTER_SINK);
                metrics.deadLettered(rejected.reason);
                topology.listener().deadLettered(rejected.reason, deadLetter);
                return;
            } catch (RegistryUnavailableException | RegistryMisconfiguredException e) {
                awaitRegistry(attempt, e);
            }
        }
    }

    /**
     * The registry is a dependency, not input: the record waits for it (nothing was written for it
     * yet: every registry call of the fold comes before its first write). Kafka Streams copes with a
     * wait longer than {@code max.poll.interval.ms} (the task moves and comes back); readiness shows
     * the registry down meanwhile.
     */
    private void awaitRegistry(int attempt, RuntimeException failure) {
        long backoff = Math.min(MAX_REGISTRY_BACKOFF_MS, 100L << Math.min(attempt - 1, 10));
        if (attempt == 1 || attempt % 10 == 0) {
            LOG.warn("Task {}: schema registry unavailable (attempt {}), retrying the record at {} in {} ms: {}",
                context().taskId(), attempt, context().recordMetadata().map(m -> m.topic() + "-" + m.partition()
                    + "@" + m.offset()).orElse("?"), backoff, failure.getMessage());
        }
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }

    @Override
    public void close() {
        metrics.close();
    }

    private void fold(Record<byte[], byte[]> record) {
        String aggregateId = aggregateIdOf(record.key());
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
        AggregateStore.Cached cached = aggregates.cached(aggregateId);
        AggregateRecord current = cached == null ? null : cached.record();
        SpecificRecord state = cached == null ? null : cached.state();
        if (current != null && !current.getAggregateType().equals(event.getAggregateType())) {
            throw new Rejected(DeadLetterReason.AGGREGATE_TYPE_MISMATCH, "aggregate '" + aggregateId + "' is a "
                + current.getAggregateType() + ", event is for a " + event.getAggregateType());
        }
        long version = current == null ? 0 : current.getVersion();
        long sequence = event.getSequence();
        if (sequence <= version) {
            // told from the envelope; of its payload only the header is checked (registered schema of an
            // event type of the fold), not decoded
            payloadReader(fold, event.getPayload().array());
            skipFolded(current, event);
            return;
        }
        Parked parked = current == null ? null : current.getParked();
        if (parked != null && sequence > parked.getSequence()) {
            hold(aggregateId, current, state, event);
        }
        if (sequence > version + 1 && topology.gapPolicy() == GapPolicy.DEAD_LETTER) {
            throw new Rejected(DeadLetterReason.SEQUENCE_GAP, "sequence " + sequence + " after version "
                + version + ": events " + (version + 1) + ".." + (sequence - 1) + " are missing");
        }

        long now = clockTime();
        if (current != null && current.getEventsSinceSnapshot() > 0 && current.getSnapshotDueTime() <= now) {
            current = snapshot(aggregateId, current, state, SnapshotReason.TIME, timeSnapshotAt(current, now));
        }
        try {
            foldNext(aggregateId, current, state, fold, event, now);
        } catch (Rejected rejected) {
            park(aggregateId, current, event, rejected, now);
            throw rejected;
        }
    }

    /** An event at or below the version: a duplicate to skip, unless it is not the event folded there. */
    private void skipFolded(AggregateRecord current, EventEnvelope event) {
        long sequence = event.getSequence();
        if (sequence == current.getVersion() && !event.getEventId().equals(current.getLastEventId())) {
            throw new Rejected(DeadLetterReason.CONFLICTING_DUPLICATE, "sequence " + sequence + " of '"
                + event.getAggregateId() + "' is event '" + current.getLastEventId() + "', this is '"
                + event.getEventId() + "'");
        }
        for (SkippedRange range : current.getSkipped()) {
            if (sequence >= range.getFrom() && sequence <= range.getTo()) {
                throw new Rejected(DeadLetterReason.LATE_EVENT, "sequence " + sequence + " was skipped by a gap ("
                    + range.getFrom() + ".." + range.getTo() + ") folded before it arrived; the aggregate is at version "
                    + current.getVersion());
            }
        }
        metrics.duplicateSkipped();
    }

    /** A later event of a parked aggregate: held back, counted on the aggregate. */
    private void hold(String aggregateId, AggregateRecord current, SpecificRecord state, EventEnvelope event) {
        Parked parked = Parked.newBuilder(current.getParked()).setEventsHeld(current.getParked().getEventsHeld() + 1)
            .build();
        aggregates.update(aggregateId, withParked(current, parked), state);
        throw new Rejected(DeadLetterReason.AGGREGATE_PARKED, "aggregate '" + aggregateId + "' is parked at sequence "
            + parked.getSequence() + " (" + parked.getReason() + ": " + parked.getError() + ", at "
            + Instant.ofEpochMilli(parked.getParkedAt()) + "); sequence " + event.getSequence()
            + " waits for it to be re-driven");
    }

    /** Folds the aggregate's next event (or, with gaps folded, a later one); a rejection parks the aggregate. */
    private void foldNext(String aggregateId, AggregateRecord current, SpecificRecord cachedState, RegisteredFold fold,
                          EventEnvelope event, long now) {
        SpecificRecord payload = decodePayload(fold, event.getPayload().array());
        SpecificRecord state = current == null || !current.getState().hasRemaining() ? null
            : cachedState != null ? cachedState : decodeStoredState(current, fold);
        SpecificRecord next;
        int foldVersion;
        try {
            next = fold.fold().apply(state, new DomainEvent(event.getEventId(), aggregateId, event.getSequence(),
                event.getTimestamp(), payload));
            foldVersion = fold.fold().version();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            throw new Rejected(DeadLetterReason.FOLD_FAILED, describe(e));
        }
        if (next == null) {
            throw new Rejected(DeadLetterReason.FOLD_FAILED, fold.fold().getClass().getName() + " returned no state");
        }
        if (!fold.fold().stateType().isInstance(next)) {
            throw new Rejected(DeadLetterReason.STATE_UNENCODABLE, fold.fold().getClass().getName() + " returned a "
                + next.getClass().getName() + ", not its state type " + fold.fold().stateType().getName());
        }
        byte[] encoded = encodeState(next);
        if (encoded.length > topology.maxStateBytes()) {
            throw new Rejected(DeadLetterReason.STATE_TOO_LARGE, "the new state is " + encoded.length
                + " bytes, above " + TopologyConfig.SNAPSHOT_MAX_BYTES + "=" + topology.maxStateBytes());
        }

        long sequence = event.getSequence();
        long pendingBefore = current == null ? 0 : current.getEventsSinceSnapshot();
        SnapshotPolicy policy = topology.policyFor(event.getAggregateType());
        SnapshotProgress progress = new SnapshotProgress(event.getAggregateType(), sequence, pendingBefore + 1,
            current == null ? 0 : current.getLastSnapshotVersion(), current == null ? now : current.getLastSnapshotTime());
        boolean dueNow;
        long dueTime = SnapshotPolicy.NEVER;
        try {
            dueNow = policy.isDueAfterEvent(progress);
            if (!dueNow && pendingBefore == 0) {
                // Overdue already (the last snapshot is more than T ago): due now, not in the past,
                // so one snapshot covers the burst that ends an idle spell.
                dueTime = policy.timeDue(progress);
                dueTime = dueTime == SnapshotPolicy.NEVER ? dueTime : Math.max(dueTime, now);
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            throw new Rejected(DeadLetterReason.POLICY_FAILED, policy.getClass().getName() + ": " + describe(e));
        }

        // accepted: from here on nothing rejects the event
        ByteBuffer nextState = ByteBuffer.wrap(encoded);
        AggregateRecord updated;
        boolean unparked = false;
        if (current == null) {
            updated = new AggregateRecord(event.getAggregateType(), sequence, event.getEventId(),
                event.getTimestamp().toEpochMilli(), 1L, 0L, now, SnapshotPolicy.NEVER, SnapshotPolicy.NEVER, foldVersion,
                nextState, null, new ArrayList<>());
        } else {
            // a new record (the cached one is shared with readers), sharing what did not change
            List<SkippedRange> skipped = sequence > current.getVersion() + 1
                ? withSkipped(current.getSkipped(), current.getVersion() + 1, sequence - 1) : current.getSkipped();
            Parked parkedAfter = current.getParked();
            if (parkedAfter != null && sequence >= parkedAfter.getSequence()) {
                LOG.info("Task {}: aggregate '{}' un-parked: sequence {} folded ({} events were held back)",
                    context().taskId(), aggregateId, sequence, parkedAfter.getEventsHeld());
                parkedAfter = null;
                unparked = true;
            }
            updated = new AggregateRecord(current.getAggregateType(), sequence, event.getEventId(),
                event.getTimestamp().toEpochMilli(), pendingBefore + 1, current.getLastSnapshotVersion(),
                current.getLastSnapshotTime(), current.getSnapshotDueTime(), current.getScheduledAt(), foldVersion,
                nextState, parkedAfter, skipped);
        }
        if (unparked) {
            parkedIndex.delete(aggregateId);
            parkedCount--;
        }
        if (dueNow) {
            snapshot(aggregateId, updated, next, SnapshotReason.COUNT, now);
        } else {
            if (dueTime != SnapshotPolicy.NEVER) {
                long scheduled = scheduledAt(updated);
                updated.setSnapshotDueTime(dueTime);  // not shared yet, so set in place
                if (scheduled > dueTime) {
                    // no entry, or a later one: one at the due time. An earlier one (left by a snapshot)
                    // stays: the punctuation moves it here when it comes due.
                    if (scheduled != SnapshotPolicy.NEVER) {
                        schedule.delete(scheduleKey(scheduled, aggregateId));
                    }
                    schedule.put(scheduleKey(dueTime, aggregateId), NOTHING);
                    updated.setScheduledAt(dueTime);
                    scanFrom = Math.min(scanFrom, dueTime);
                }
            }
            aggregates.update(aggregateId, updated, next);
        }
        metrics.eventFolded();
        topology.listener().eventFolded();
    }

    private static List<SkippedRange> withSkipped(List<SkippedRange> before, long from, long to) {
        List<SkippedRange> skipped = new ArrayList<>(before);
        skipped.add(new SkippedRange(from, to));
        if (skipped.size() > MAX_SKIPPED_RANGES) {
            SkippedRange merged = new SkippedRange(skipped.get(0).getFrom(), skipped.get(1).getTo());
            skipped.remove(0);
            skipped.set(0, merged);
        }
        return skipped;
    }

    /** A copy of {@code record} (sharing its fields) with {@code parked}. */
    private static AggregateRecord withParked(AggregateRecord record, Parked parked) {
        return new AggregateRecord(record.getAggregateType(), record.getVersion(), record.getLastEventId(),
            record.getLastEventTimestamp(), record.getEventsSinceSnapshot(), record.getLastSnapshotVersion(),
            record.getLastSnapshotTime(), record.getSnapshotDueTime(), record.getScheduledAt(), record.getFoldVersion(),
            record.getState(), parked, record.getSkipped());
    }

    /** A copy of {@code record} (sharing its fields) whose schedule entry is at {@code scheduledAt}. */
    private static AggregateRecord withScheduledAt(AggregateRecord record, long scheduledAt) {
        return new AggregateRecord(record.getAggregateType(), record.getVersion(), record.getLastEventId(),
            record.getLastEventTimestamp(), record.getEventsSinceSnapshot(), record.getLastSnapshotVersion(),
            record.getLastSnapshotTime(), record.getSnapshotDueTime(), scheduledAt, record.getFoldVersion(),
            record.getState(), record.getParked(), record.getSkipped());
    }

    /**
     * The due time of the aggregate's entry in the schedule, {@code NEVER} when it has none. A record
     * written before {@code scheduledAt} existed has its entry at its due time.
     */
    static long scheduledAt(AggregateRecord record) {
        return record.getScheduledAt() != SnapshotPolicy.NEVER ? record.getScheduledAt() : record.getSnapshotDueTime();
    }

    /**
     * Parks the aggregate at the rejected event's sequence, unless it is parked at that sequence or an
     * earlier one already (the first reason stays). A new aggregate is parked before its first event:
     * no state, version 0.
     */
    private void park(String aggregateId, AggregateRecord current, EventEnvelope event, Rejected rejected, long now) {
        if (current != null && current.getParked() != null && current.getParked().getSequence() <= event.getSequence()) {
            return;
        }
        var source = context().recordMetadata();
        Parked parked = new Parked(event.getSequence(), event.getEventId(), rejected.reason.name(), rejected.getMessage(),
            context().currentSystemTimeMs(), source.map(m -> m.topic()).orElse(""),
            source.map(m -> m.partition()).orElse(-1), source.map(m -> m.offset()).orElse(-1L), 0L);
        boolean wasParked = current != null && current.getParked() != null;
        AggregateRecord record = current != null ? withParked(current, parked)
            : new AggregateRecord(event.getAggregateType(), 0L, "", 0L, 0L, 0L, now, SnapshotPolicy.NEVER,
                SnapshotPolicy.NEVER, 0, NO_STATE, parked, new ArrayList<>());
        // without the decoded state, which the fold may have changed before it was rejected
        aggregates.update(aggregateId, record, null);
        if (!wasParked) {
            parkedIndex.put(aggregateId, NOTHING);
            parkedCount++;
        }
        LOG.warn("Task {}: aggregate '{}' parked at sequence {}: {}: {}", context().taskId(), aggregateId,
            event.getSequence(), rejected.reason, rejected.getMessage());
    }

    private boolean isSnapshotRequest() {
        return context().recordMetadata().map(m -> m.topic().equals(topology.snapshotRequestsTopic())).orElse(false);
    }

    private void takeRequestedSnapshot(Record<byte[], byte[]> record) {
        String aggregateId = aggregateIdOf(record.key());
        SnapshotRequest request;
        try {
            request = SnapshotRequest.fromBytes(record.value());
        } catch (IllegalArgumentException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "snapshot request: " + e.getMessage());
        }
        AggregateStore.Cached cached = aggregates.cached(aggregateId);
        AggregateRecord current = cached == null ? null : cached.record();
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
        snapshot(aggregateId, current, cached.state(), SnapshotReason.MANUAL, clockTime(), headers, scheduledAt(current));
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
            AggregateStore.Cached cached = aggregates.cached(aggregateId);
            AggregateRecord current = cached == null ? null : cached.record();
            schedule.delete(key);
            if (current == null || scheduledAt(current) != dueTimeOf(key)) {
                continue;  // not the aggregate's entry (none is known to be left so; harmless)
            }
            boolean pending = current.getEventsSinceSnapshot() > 0;
            if (pending && current.getSnapshotDueTime() <= timestamp) {
                snapshot(aggregateId, current, cached.state(), SnapshotReason.TIME, timeSnapshotAt(current, timestamp),
                    new RecordHeaders(), SnapshotPolicy.NEVER);
            } else if (pending && current.getSnapshotDueTime() != SnapshotPolicy.NEVER) {
                // left by a snapshot; the events since fall due later
                schedule.put(scheduleKey(current.getSnapshotDueTime(), aggregateId), NOTHING);
                aggregates.update(aggregateId, withScheduledAt(current, current.getSnapshotDueTime()), cached.state());
            } else {
                aggregates.update(aggregateId, withScheduledAt(current, SnapshotPolicy.NEVER), cached.state());
            }
        }
    }

    private AggregateRecord snapshot(String aggregateId, AggregateRecord current, SpecificRecord state,
                                     SnapshotReason reason, long at) {
        return snapshot(aggregateId, current, state, reason, at, new RecordHeaders(), scheduledAt(current));
    }

    /**
     * Emits a snapshot of {@code current} (whose state decoded is {@code state}, or null) with
     * {@code headers}, stores the reset bookkeeping and returns it. The aggregate's schedule entry is
     * left where it is ({@code scheduledAt}): it comes due no later than the events after the
     * snapshot could, and the punctuation moves or removes it then, so a snapshot costs the schedule
     * nothing.
     */
    private AggregateRecord snapshot(String aggregateId, AggregateRecord current, SpecificRecord state,
                                     SnapshotReason reason, long at, Headers headers, long scheduledAt) {
        Snapshot snapshot = topology.snapshots().snapshotOf(aggregateId, aggregateId, current, at, reason);
        context().forward(new Record<>(aggregateId, snapshot, at, headers), SnapshotTopology.SNAPSHOTS_SINK);
        // a new record sharing the state bytes (never modified): a builder would deep-copy them
        AggregateRecord after = new AggregateRecord(current.getAggregateType(), current.getVersion(),
            current.getLastEventId(), current.getLastEventTimestamp(), 0L, current.getVersion(), at,
            SnapshotPolicy.NEVER, scheduledAt, current.getFoldVersion(), current.getState(), current.getParked(),
            current.getSkipped());
        aggregates.update(aggregateId, after, state);
        metrics.snapshotEmitted(current.getAggregateType(), reason, snapshot.getState().remaining(),
            current.getEventsSinceSnapshot());
        topology.listener().snapshotTaken(snapshot);
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

    /**
     * The record key as an aggregateId every sink can store: UTF-8, at most
     * {@value #MAX_AGGREGATE_ID_BYTES} bytes, no control characters.
     */
    static String aggregateIdOf(byte[] key) {
        if (key == null || key.length == 0) {
            throw new Rejected(DeadLetterReason.MISSING_AGGREGATE_ID, "record has no key");
        }
        if (key.length > MAX_AGGREGATE_ID_BYTES) {
            throw new Rejected(DeadLetterReason.INVALID_AGGREGATE_ID, "the key is " + key.length
                + " bytes; an aggregateId has at most " + MAX_AGGREGATE_ID_BYTES + " UTF-8 bytes");
        }
        boolean printableAscii = true;
        for (byte b : key) {
            if (b < 0x20 || b == 0x7F) {  // negative: a multi-byte sequence
                printableAscii = false;
                break;
            }
        }
        if (printableAscii) {
            return new String(key, StandardCharsets.ISO_8859_1);
        }
        String id;
        try {
            id = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            throw new Rejected(DeadLetterReason.INVALID_AGGREGATE_ID, "the key is not valid UTF-8");
        }
        for (int i = 0; i < id.length(); i = id.offsetByCodePoints(i, 1)) {
            int c = id.codePointAt(i);
            if (Character.isISOControl(c)) {
                throw new Rejected(DeadLetterReason.INVALID_AGGREGATE_ID, String.format(
                    "the key has control character U+%04X at index %d", c, i));
            }
        }
        return id;
    }

    private EventEnvelope decodeEnvelope(byte[] value) {
        try {
            return topology.codec().decode(value, EventEnvelope.class);
        } catch (SerializationException | SchemaNotFoundException | UnusableSchemaException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "event envelope: " + e.getMessage());
        }
    }

    private SpecificRecord decodePayload(RegisteredFold fold, byte[] payload) {
        Schema reader = payloadReader(fold, payload);
        try {
            return (SpecificRecord) topology.codec().decode(payload, reader);
        } catch (SerializationException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "payload: " + e.getMessage());
        }
    }

    /** The fold's reader schema for the payload's writer schema, read from its wire-format header. */
    private Schema payloadReader(RegisteredFold fold, byte[] payload) {
        Schema writer;
        try {
            writer = topology.codec().writerSchemaOf(payload);
        } catch (SerializationException | SchemaNotFoundException | UnusableSchemaException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "payload: " + e.getMessage());
        }
        Schema reader = fold.readerSchemaFor(writer);
        if (reader == null) {
            throw new Rejected(DeadLetterReason.UNKNOWN_EVENT_TYPE, writer.getFullName() + " is not an event of "
                + fold.fold().aggregateType());
        }
        return reader;
    }

    /** The stored state under the fold's state type; one it cannot read (an incompatible change) rejects the event. */
    private SpecificRecord decodeStoredState(AggregateRecord current, RegisteredFold fold) {
        try {
            return topology.decodeState(current.getState().array(), fold);
        } catch (SerializationException | SchemaNotFoundException | UnusableSchemaException e) {
            throw new Rejected(DeadLetterReason.UNDECODABLE, "the stored state of version " + current.getVersion()
                + " does not decode as " + fold.fold().stateType().getName() + ": " + e.getMessage());
        }
    }

    private byte[] encodeState(SpecificRecord state) {
        try {
            return topology.encodeState(state);
        } catch (SerializationException e) {
            throw new Rejected(DeadLetterReason.STATE_UNENCODABLE, e.getMessage());
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.toString();
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

    /** An input record that cannot be folded, and why; the message is cut to {@value #MAX_ERROR_CHARS} characters. */
    static final class Rejected extends RuntimeException {
        static final int MAX_ERROR_CHARS = 2000;
        private final DeadLetterReason reason;

        Rejected(DeadLetterReason reason, String message) {
            super(message.length() <= MAX_ERROR_CHARS ? message : message.substring(0, MAX_ERROR_CHARS) + "...", null,
                false, false);
            this.reason = reason;
        }
    }
}
