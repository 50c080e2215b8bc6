package io.snapshotter.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds dead-letter records: the original key, value and headers, plus headers saying why,
 * where the record came from and when it was rejected. Used by the fold processor for input and by
 * the DynamoDB writer for snapshots it cannot store.
 */
public final class DeadLetters {

    public static final String REASON = "dlq.reason";
    public static final String ERROR = "dlq.error";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String REJECTED_AT = "dlq.rejected.at";
    /** Set when the broker refused the dead letter with its value: the value's size and why. */
    public static final String VALUE_OMITTED = "dlq.value.omitted";

    private DeadLetters() {
    }

    public static Record<byte[], byte[]> of(Record<byte[], byte[]> input, RecordMetadata source, DeadLetterReason reason,
                                     String error, long now) {
        Headers headers = source == null
            ? withReason(input.headers(), reason, error, null, -1, -1, now)
            : withReason(input.headers(), reason, error, source.topic(), source.partition(), source.offset(), now);
        return new Record<>(input.key(), input.value(), input.timestamp(), headers);
    }

    /**
     * A copy of {@code original} plus the dead-letter headers: why, where the record came from
     * ({@code sourceTopic} null when unknown) and when it was rejected.
     */
    public static Headers withReason(Headers original, DeadLetterReason reason, String error, String sourceTopic,
                                     int sourcePartition, long sourceOffset, long now) {
        Headers headers = new RecordHeaders(original.toArray());
        add(headers, REASON, reason.name());
        add(headers, ERROR, error);
        if (sourceTopic != null) {
            add(headers, SOURCE_TOPIC, sourceTopic);
            add(headers, SOURCE_PARTITION, Integer.toString(sourcePartition));
            add(headers, SOURCE_OFFSET, Long.toString(sourceOffset));
        }
        add(headers, REJECTED_AT, Instant.ofEpochMilli(now).toString());
        return headers;
    }

    /** The last value of header {@code key} as text, or null. */
    public static String header(Headers headers, String key) {
        var header = headers.lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void add(Headers headers, String key, String value) {
        headers.add(key, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }
}
