package io.snapshotter.topology;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds dead-letter records: the input's original key, value and headers, plus headers saying
 * why, where it came from and when it was rejected.
 */
public final class DeadLetters {

    public static final String REASON = "dlq.reason";
    public static final String ERROR = "dlq.error";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String REJECTED_AT = "dlq.rejected.at";

    private DeadLetters() {
    }

    static Record<byte[], byte[]> of(Record<byte[], byte[]> input, RecordMetadata source, DeadLetterReason reason,
                                     String error, long now) {
        Headers headers = new RecordHeaders(input.headers().toArray());
        add(headers, REASON, reason.name());
        add(headers, ERROR, error);
        if (source != null) {
            add(headers, SOURCE_TOPIC, source.topic());
            add(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
            add(headers, SOURCE_OFFSET, Long.toString(source.offset()));
        }
        add(headers, REJECTED_AT, Instant.ofEpochMilli(now).toString());
        return new Record<>(input.key(), input.value(), input.timestamp(), headers);
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
