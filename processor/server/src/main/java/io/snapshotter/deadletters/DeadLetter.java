package io.snapshotter.deadletters;

import io.snapshotter.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One record of the dead-letter topic: where it is ({@code partition}, {@code offset}), the original
 * key, value, timestamp and headers, and what its {@code dlq.*} headers say.
 *
 * @param reason      the {@code dlq.reason} header as written: a name this version may not know
 * @param sourceTopic null when the writer did not know it (then so are the source partition and offset, -1)
 * @param rejectedAt  null when the header is missing or not an instant
 */
public record DeadLetter(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp,
                         Headers headers, String reason, String error, String sourceTopic, int sourcePartition,
                         long sourceOffset, Instant rejectedAt) {

    public static DeadLetter of(ConsumerRecord<byte[], byte[]> record) {
        Headers headers = record.headers();
        String sourcePartition = DeadLetters.header(headers, DeadLetters.SOURCE_PARTITION);
        String sourceOffset = DeadLetters.header(headers, DeadLetters.SOURCE_OFFSET);
        return new DeadLetter(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
            record.timestamp(), headers, DeadLetters.header(headers, DeadLetters.REASON),
            DeadLetters.header(headers, DeadLetters.ERROR), DeadLetters.header(headers, DeadLetters.SOURCE_TOPIC),
            sourcePartition == null ? -1 : parseInt(sourcePartition), sourceOffset == null ? -1 : parseLong(sourceOffset),
            instant(DeadLetters.header(headers, DeadLetters.REJECTED_AT)));
    }

    /** The key as text: the aggregateId of every record the fold could route. Null without a key. */
    public String aggregateId() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** {@code topic/partition@offset} of the record that was rejected, or {@code ?} if unknown. */
    public String source() {
        return sourceTopic == null ? "?" : sourceTopic + "/" + sourcePartition + "@" + sourceOffset;
    }

    /** {@code topic/partition/offset} of this dead letter, the value of {@code dlq.redriven.from}. */
    public String location() {
        return topic + "/" + partition + "/" + offset;
    }

    public int valueSize() {
        return value == null ? 0 : value.length;
    }

    private static int parseInt(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Instant instant(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
