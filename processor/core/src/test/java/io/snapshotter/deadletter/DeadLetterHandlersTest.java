package io.snapshotter.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.registry.RegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DeadLetterHandlersTest {

    private static final Map<String, String> CONFIG = DeadLetterHandlers.streamsSettings("events-dlq", "snapshots");
    private static final byte[] KEY = "item-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {0, 0, 0, 0, 1, 2, 3};

    /** The input record the failure happened on: events-2@17. */
    private record Context(byte[] sourceRawKey, byte[] sourceRawValue) implements ErrorHandlerContext {
        @Override
        public String topic() {
            return sourceRawValue == null ? null : "events";
        }

        @Override
        public int partition() {
            return 2;
        }

        @Override
        public long offset() {
            return 17;
        }

        @Override
        public Headers headers() {
            return new RecordHeaders().add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String processorNodeId() {
            return "fold-events";
        }

        @Override
        public TaskId taskId() {
            return new TaskId(0, 2);
        }

        @Override
        public long timestamp() {
            return 1_000L;
        }
    }

    private static DeadLetterHandlers.Processing processing() {
        DeadLetterHandlers.Processing handler = new DeadLetterHandlers.Processing();
        handler.configure(CONFIG);
        return handler;
    }

    private static DeadLetterHandlers.Production production() {
        DeadLetterHandlers.Production handler = new DeadLetterHandlers.Production();
        handler.configure(CONFIG);
        return handler;
    }

    @Test
    void shouldDeadLetterTheInputOfAProcessingFailureWithItsOriginalBytesAndGoOn() {
        ProcessingExceptionHandler.Response response = processing().handleError(new Context(KEY, VALUE),
            new Record<>(KEY, VALUE, 1_000L), new IllegalStateException("a bug"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> deadLetter = response.deadLetterQueueRecords().get(0);
        assertThat(deadLetter.topic()).isEqualTo("events-dlq");
        assertThat(deadLetter.key()).isEqualTo(KEY);
        assertThat(deadLetter.value()).isEqualTo(VALUE);
        assertThat(DeadLetters.header(deadLetter.headers(), "trace-id")).isEqualTo("t-1");
        assertThat(DeadLetters.header(deadLetter.headers(), DeadLetters.REASON)).isEqualTo("PROCESSING_FAILED");
        assertThat(DeadLetters.header(deadLetter.headers(), DeadLetters.ERROR)).contains("a bug");
        assertThat(DeadLetters.header(deadLetter.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("17");
    }

    @Test
    void shouldFailTheThreadOnARegistryOutageOrWithoutAnInputRecord() {
        assertThat(processing().handleError(new Context(KEY, VALUE), new Record<>(KEY, VALUE, 1L),
            new RuntimeException(new RegistryUnavailableException("down"))).result())
            .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(processing().handleError(new Context(null, null), null, new IllegalStateException("in a punctuation"))
            .result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    }

    @Test
    void shouldReplaceATooLargeDeadLetterByOneWithoutItsValue() {
        Headers headers = DeadLetters.withReason(new RecordHeaders(), DeadLetterReason.UNDECODABLE, "bad", "events", 2,
            17, 1_000L);
        ProducerRecord<byte[], byte[]> tooLarge = new ProducerRecord<>("events-dlq", null, 1_000L, KEY,
            new byte[3_000_000], headers);

        ProductionExceptionHandler.Response response = production().handleError(new Context(KEY, VALUE), tooLarge,
            new RecordTooLargeException("The message is 3000100 bytes"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        ProducerRecord<byte[], byte[]> replacement = response.deadLetterQueueRecords().get(0);
        assertThat(replacement.topic()).isEqualTo("events-dlq");
        assertThat(replacement.key()).isEqualTo(KEY);
        assertThat(replacement.value()).isNull();
        assertThat(DeadLetters.header(replacement.headers(), DeadLetters.REASON)).isEqualTo("UNDECODABLE");
        assertThat(DeadLetters.header(replacement.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("17");
        assertThat(DeadLetters.header(replacement.headers(), DeadLetters.VALUE_OMITTED)).startsWith("3000000 bytes");
    }

    @Test
    void shouldDeadLetterATooLargeSnapshotButFailOnAChangelogRecordOrAnotherError() {
        ProducerRecord<byte[], byte[]> snapshot = new ProducerRecord<>("snapshots", KEY, new byte[10]);
        ProductionExceptionHandler.Response forSnapshot = production().handleError(new Context(KEY, VALUE), snapshot,
            new RecordTooLargeException("too large"));
        assertThat(forSnapshot.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(DeadLetters.header(forSnapshot.deadLetterQueueRecords().get(0).headers(), DeadLetters.REASON))
            .isEqualTo("SNAPSHOT_TOO_LARGE");

        ProducerRecord<byte[], byte[]> changelog = new ProducerRecord<>("app-aggregates-changelog", KEY, new byte[10]);
        assertThat(production().handleError(new Context(KEY, VALUE), changelog, new RecordTooLargeException("too large"))
            .result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(production().handleError(new Context(KEY, VALUE), snapshot, new TimeoutException("slow")).result())
            .isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }
}
