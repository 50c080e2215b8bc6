package io.snapshotter.deadletter;

/** Why a record went to the dead-letter topic; the value of its {@code dlq.reason} header. */
public enum DeadLetterReason {
    /** The value is not an event envelope in the Confluent wire format, or its payload does not decode. */
    UNDECODABLE,
    /** The record has no key or the envelope no aggregateId. */
    MISSING_AGGREGATE_ID,
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
    /** The fold threw: the event breaks an invariant of the aggregate. */
    FOLD_FAILED,
    /** A snapshot too large for a DynamoDB item even compressed (it stays on the snapshot topic). */
    SNAPSHOT_TOO_LARGE
}
