package io.snapshotter.deadletter;

import io.snapshotter.registry.RegistryMisconfiguredException;
import io.snapshotter.registry.RegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' exception handlers, the net under the fold processor (which dead-letters what it
 * knows itself): whatever slips through goes to the dead-letter topic instead of killing the stream
 * thread, which would fail on the same record again on every instance the partition moves to.
 * Configured by {@link #streamsSettings}.
 */
public final class DeadLetterHandlers {

    /** The dead-letter topic, passed to the handlers through the Kafka Streams configuration. */
    public static final String DEAD_LETTER_TOPIC_CONFIG = "snapshotter.dead.letter.topic";
    /** The snapshot topic, ditto. */
    public static final String SNAPSHOTS_TOPIC_CONFIG = "snapshotter.snapshots.topic";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandlers.class);
    private static final int MAX_ERROR_CHARS = 2000;

    private DeadLetterHandlers() {
    }

    /**
     * The Kafka Streams settings that install both handlers for these topics. The processing handler
     * covers global threads too, as Kafka asks (it warns at every start otherwise); the topology has
     * no global store yet.
     */
    public static Map<String, String> streamsSettings(String deadLetterTopic, String snapshotsTopic) {
        return Map.of(
            "processing.exception.handler", Processing.class.getName(),
            "processing.exception.handler.global.enabled", "true",
            "production.exception.handler", Production.class.getName(),
            DEAD_LETTER_TOPIC_CONFIG, deadLetterTopic,
            SNAPSHOTS_TOPIC_CONFIG, snapshotsTopic);
    }

    private static String describe(Exception e) {
        String text = e.toString();
        return text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS) + "...";
    }

    private static String required(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null) {
            throw new IllegalStateException(key + " is not set: the dead-letter handlers need it");
        }
        return value.toString();
    }

    private static boolean registryDown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RegistryUnavailableException || t instanceof RegistryMisconfiguredException) {
                return true;
            }
        }
        return false;
    }

    /**
     * An exception out of the fold processor for one input record: the record is dead-lettered as
     * {@link DeadLetterReason#PROCESSING_FAILED} with its original bytes, and processing goes on. A
     * registry outage, or a failure in a punctuation (no input record to set aside), fails the thread.
     */
    public static final class Processing implements ProcessingExceptionHandler {
        private String deadLetterTopic;

        @Override
        public void configure(Map<String, ?> configs) {
            deadLetterTopic = required(configs, DEAD_LETTER_TOPIC_CONFIG);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            if (registryDown(exception) || context.topic() == null || context.sourceRawValue() == null) {
                return Response.fail();
            }
            LOG.error("Processing {}-{}@{} failed in {}; dead-lettered as {}", context.topic(), context.partition(),
                context.offset(), context.processorNodeId(), DeadLetterReason.PROCESSING_FAILED, exception);
            Headers headers = DeadLetters.withReason(context.headers(), DeadLetterReason.PROCESSING_FAILED,
                describe(exception), context.topic(), context.partition(), context.offset(), System.currentTimeMillis());
            return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, context.timestamp(),
                context.sourceRawKey(), context.sourceRawValue(), headers)));
        }
    }

    /**
     * A record the broker refused as too large (the fold keeps states within
     * {@code snapshot.max.bytes} and the topics are sized for them, so this is what slips through):
     * a dead letter or a snapshot is replaced by a dead letter without its value, naming its size
     * ({@link DeadLetters#VALUE_OMITTED}); the original input stays in its topic at the offset the
     * headers name. A changelog record fails the thread: dropping it would lose state on restore.
     */
    public static final class Production implements ProductionExceptionHandler {
        private String deadLetterTopic;
        private String snapshotsTopic;

        @Override
        public void configure(Map<String, ?> configs) {
            deadLetterTopic = required(configs, DEAD_LETTER_TOPIC_CONFIG);
            snapshotsTopic = required(configs, SNAPSHOTS_TOPIC_CONFIG);
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                    Exception exception) {
            boolean ours = record.topic().equals(deadLetterTopic) || record.topic().equals(snapshotsTopic);
            if (!(exception instanceof RecordTooLargeException) || !ours) {
                return Response.fail();
            }
            int size = record.value() == null ? 0 : record.value().length;
            LOG.error("{} refused a record of {} bytes for '{}' ({}); a dead letter without the value takes its place",
                record.topic(), size, record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8),
                exception.getMessage());
            Headers headers = record.topic().equals(deadLetterTopic)
                ? new RecordHeaders(record.headers().toArray())
                : DeadLetters.withReason(record.headers(), DeadLetterReason.SNAPSHOT_TOO_LARGE, describe(exception),
                    record.topic(), -1, -1, System.currentTimeMillis());
            headers.add(DeadLetters.VALUE_OMITTED, (size + " bytes: " + exception.getMessage())
                .getBytes(StandardCharsets.UTF_8));
            return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, record.timestamp(),
                record.key(), null, headers)));
        }
    }
}
