package io.snapshotter.dynamodb;

import io.snapshotter.sink.SnapshotSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes requests with {@code BatchWriteItem} until DynamoDB has taken every one: unprocessed
 * items (throttling) are resent alone, and failed calls (DynamoDB down) are retried, both after an
 * exponential backoff with full jitter, capped. Nothing is given up while the writer runs; between
 * attempts {@code whileWaiting} runs (the writer keeps its consumer alive there).
 */
final class BatchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

    private final DynamoDbClient client;
    private final DynamoDbSettings settings;
    private final BooleanSupplier running;
    private final Timer writeLatency;
    private final Counter retries;

    BatchWriter(DynamoDbClient client, DynamoDbSettings settings, BooleanSupplier running, MeterRegistry meters) {
        this.client = client;
        this.settings = settings;
        this.running = running;
        this.writeLatency = Timer.builder("snapshotter.dynamodb.write")
            .description("Latency of one BatchWriteItem call").publishPercentileHistogram().register(meters);
        this.retries = Counter.builder("snapshotter.dynamodb.retries")
            .description("BatchWriteItem calls retried: failed calls and resends of unprocessed items").register(meters);
    }

    /** Writes all {@code requests}, in batches of at most {@code dynamodb.batch.size}. */
    void writeAll(List<WriteRequest> requests, Runnable whileWaiting) {
        for (int from = 0; from < requests.size(); from += settings.batchSize()) {
            writeBatch(requests.subList(from, Math.min(requests.size(), from + settings.batchSize())), whileWaiting);
        }
    }

    private void writeBatch(List<WriteRequest> batch, Runnable whileWaiting) {
        List<WriteRequest> pending = new ArrayList<>(batch);
        int attempt = 0;
        while (!pending.isEmpty()) {
            if (attempt > 0) {
                retries.increment();
                backOff(attempt, whileWaiting);
            }
            attempt++;
            try {
                BatchWriteItemRequest request = BatchWriteItemRequest.builder()
                    .requestItems(Map.of(settings.table(), List.copyOf(pending))).build();
                BatchWriteItemResponse response = writeLatency.record(() -> client.batchWriteItem(request));
                List<WriteRequest> unprocessed = response.unprocessedItems().getOrDefault(settings.table(), List.of());
                if (!unprocessed.isEmpty()) {
                    LOG.debug("{} of {} items unprocessed; resending them", unprocessed.size(), pending.size());
                }
                pending.clear();
                pending.addAll(unprocessed);
            } catch (SdkException e) {
                LOG.warn("BatchWriteItem of {} items to '{}' failed (attempt {}); retrying: {}", pending.size(),
                    settings.table(), attempt, e.getMessage());
            }
        }
    }

    private void backOff(int attempt, Runnable whileWaiting) {
        long cap = Math.min(settings.maxBackoff().toMillis(),
            settings.backoff().toMillis() << Math.min(attempt - 1, 20));
        long deadline = System.nanoTime() + Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1)).toNanos();
        do {
            if (!running.getAsBoolean()) {
                throw new SnapshotSink.Stopped();
            }
            whileWaiting.run();
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    Thread.sleep(Math.min(200, Math.max(1, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SnapshotSink.Stopped();
                }
            }
        } while (System.nanoTime() < deadline);
    }
}
