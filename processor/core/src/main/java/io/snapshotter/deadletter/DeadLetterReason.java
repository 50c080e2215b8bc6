package io.snapshotter.deadletter;

/** Why a record went to the dead-letter topic; the value of its {@code dlq.reason} header. */
public enum DeadLetterReason {
    /** The value is not an event envelope in the Confluent wire format, or its payload does not decode. */
    UNDECODABLE,
    /** The record has no key or the envelope no aggregateId. */
    MISSING_AGGREGATE_ID,
    /**
     * The key is not an aggregateId every sink can store: not UTF-8, over 1,024 UTF-8 bytes, or with
     * control characters.
     */
    INVALID_AGGREGATE_ID,
    /** The record key and the envelope's aggregateId differ. */
    AGGREGATE_ID_MISMATCH,
    /** The sequence is below 1. */
    INVALID_SEQUENCE,
    /** No fold is registered for the envelope's aggregateType. */
    UNKNOWN_AGGREGATE_TYPE,
    /** The aggregate already exists with another type. */
    AGGREGATE_TYPE_MISMATCH,
    /** The payload is not one of the events the aggregate type's fold accepts. */
    UNKNOWN_EVENT_TYPE,
    /** The sequence skips ahead of version + 1 (with sequence.gap.policy=dead-letter). */
    SEQUENCE_GAP,
    /** The sequence equals the aggregate's version but the eventId is another one: two different events claim it. */
    CONFLICTING_DUPLICATE,
    /** The sequence was skipped by a gap folded earlier (sequence.gap.policy=fold): it arrived too late. */
    LATE_EVENT,
    /**
     * The aggregate is parked: an earlier event of it was rejected at its next sequence, so later ones
     * wait here (the {@code dlq.error} header names the parked sequence and its reason) to be re-driven.
     */
    AGGREGATE_PARKED,
    /** The fold threw: the event breaks an invariant of the aggregate. */
    FOLD_FAILED,
    /** The fold returned a state that cannot be encoded (a null in a required field, say). */
    STATE_UNENCODABLE,
    /** The new state is larger than snapshot.max.bytes: the store, the snapshot topic or a sink could not hold it. */
    STATE_TOO_LARGE,
    /** The aggregate type's snapshot policy threw. */
    POLICY_FAILED,
    /** Processing failed in a way the fold does not classify; caught by the processing exception handler. */
    PROCESSING_FAILED,
    /**
     * A snapshot too large for a DynamoDB item even compressed (it stays on the snapshot topic), or one
     * the broker refused for the snapshot topic (the dead letter then has no value).
     */
    SNAPSHOT_TOO_LARGE,
    /** A snapshot a sink refused as invalid (DynamoDB's ValidationException, say), with its message; it stays on the snapshot topic. */
    SNAPSHOT_REFUSED
}
