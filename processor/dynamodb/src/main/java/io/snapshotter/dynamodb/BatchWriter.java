package io.snapshotter.dynamodb;

import io.snapshotter.sink.SnapshotSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes requests with {@code BatchWriteItem} until DynamoDB has taken every one: unprocessed
 * items (throttling) are resent alone, and failed calls (DynamoDB down) are retried, both after an
 * exponential backoff with full jitter, capped; between attempts {@code whileWaiting} runs (the
 * writer keeps its consumer alive there). What waiting cannot cure is not retried: a batch DynamoDB
 * refuses as invalid ({@code ValidationException}) is split to find the items it refuses, which go to
 * {@code refused}; a missing table or refused credentials throw {@link TableUnusableException}.
 *
 * <p>Several threads may write through one writer (the sink's groups): their calls to DynamoDB run side
 * by side, but {@code whileWaiting} runs only while none is in flight, and none starts meanwhile. So
 * the writer's consumer never polls, nor rebalances, under a call, and what a request is still
 * {@code wanted} for is asked under the same guard as its call.
 */
final class BatchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);
    private static final String VALIDATION = "ValidationException";
    /** Error codes of credentials or permissions DynamoDB refuses: retrying the same call cannot help. */
    private static final Set<String> REFUSED_CREDENTIALS = Set.of("AccessDeniedException", "UnrecognizedClientException",
        "InvalidSignatureException", "MissingAuthenticationTokenException", "IncompleteSignatureException",
        "InvalidClientTokenId", "ExpiredTokenException");

    private final DynamoDbClient client;
    private final DynamoDbSettings settings;
    private final BooleanSupplier running;
    private final Timer writeLatency;
    private final Counter retries;
    /** Held shared by each call to DynamoDB, exclusively by {@code whileWaiting}; fair, so a waiting poll is not starved. */
    private final ReadWriteLock calls = new ReentrantReadWriteLock(true);

    /** A request DynamoDB refuses whatever the attempt, and why (its message). */
    interface Refused extends BiConsumer<WriteRequest, String> {
    }

    BatchWriter(DynamoDbClient client, DynamoDbSettings settings, BooleanSupplier running, MeterRegistry meters) {
        this.client = client;
        this.settings = settings;
        this.running = running;
        this.writeLatency = Timer.builder("snapshotter.dynamodb.write")
            .description("Latency of one BatchWriteItem call").publishPercentileHistogram().register(meters);
        this.retries = Counter.builder("snapshotter.dynamodb.retries")
            .description("DynamoDB calls retried: failed calls and resends of unprocessed items").register(meters);
    }

    /**
     * Writes all {@code requests}, in batches of at most {@code dynamodb.batch.size}; none may be
     * refused (deletes of keys read from the table, say): one that is throws.
     */
    void writeAll(List<WriteRequest> requests, Runnable whileWaiting) {
        writeAll(requests, whileWaiting, (request, error) -> {
            throw new TableUnusableException("DynamoDB refused a request to table '" + settings.table() + "': " + error);
        }, request -> true);
    }

    /**
     * Writes the {@code requests} still {@code wanted} (asked before each call: what {@code whileWaiting}
     * does can change it); those DynamoDB refuses as invalid go to {@code refused}, the rest are written.
     */
    void writeAll(List<WriteRequest> requests, Runnable whileWaiting, Refused refused, Predicate<WriteRequest> wanted) {
        for (int from = 0; from < requests.size(); from += settings.batchSize()) {
            writeBatch(requests.subList(from, Math.min(requests.size(), from + settings.batchSize())), whileWaiting, refused,
                wanted);
        }
    }

    private void writeBatch(List<WriteRequest> batch, Runnable whileWaiting, Refused refused, Predicate<WriteRequest> wanted) {
        List<WriteRequest> pending = new ArrayList<>(batch);
        int attempt = 0;
        while (!pending.isEmpty()) {
            if (attempt > 0) {
                retries.increment();
                backOff(attempt, whileWaiting);
            }
            attempt++;
            BatchWriteItemResponse response;
            try {
                response = send(pending, wanted);
            } catch (SdkException e) {
                if (isValidation(e)) {
                    splitRefused(pending, e, whileWaiting, refused, wanted);
                    return;
                }
                requireUsable(e);
                LOG.warn("BatchWriteItem of {} items to '{}' failed (attempt {}); retrying: {}", pending.size(),
                    settings.table(), attempt, e.getMessage());
                continue;
            }
            if (response == null) {
                return;
            }
            List<WriteRequest> unprocessed = response.unprocessedItems().getOrDefault(settings.table(), List.of());
            if (!unprocessed.isEmpty()) {
                LOG.debug("{} of {} items unprocessed; resending them", unprocessed.size(), pending.size());
            }
            pending.clear();
            pending.addAll(unprocessed);
        }
    }

    /**
     * Sends those of {@code pending} still {@code wanted} (what waiting changed: a request no longer
     * wanted is not sent, and {@code pending} drops it); null when none is.
     */
    private BatchWriteItemResponse send(List<WriteRequest> pending, Predicate<WriteRequest> wanted) {
        return inFlight(() -> {
            pending.removeIf(wanted.negate());
            if (pending.isEmpty()) {
                return null;
            }
            BatchWriteItemRequest request = BatchWriteItemRequest.builder()
                .requestItems(Map.of(settings.table(), List.copyOf(pending))).build();
            return writeLatency.record(() -> client.batchWriteItem(request));
        });
    }

    /** {@code call} as a call to DynamoDB: never while {@code whileWaiting} runs. */
    private <T> T inFlight(Supplier<T> call) {
        calls.readLock().lock();
        try {
            return call.get();
        } finally {
            calls.readLock().unlock();
        }
    }

    /**
     * DynamoDB refuses a whole batch for one invalid item: the halves are written apart until the
     * refused items are alone, so only they are given up.
     */
    private void splitRefused(List<WriteRequest> batch, SdkException e, Runnable whileWaiting, Refused refused,
                              Predicate<WriteRequest> wanted) {
        if (batch.size() == 1) {
            LOG.warn("DynamoDB refuses an item for table '{}': {}", settings.table(), e.getMessage());
            refused.accept(batch.get(0), message(e));
            return;
        }
        LOG.info("DynamoDB refused a batch of {} items for table '{}' as invalid; splitting it to find the item: {}",
            batch.size(), settings.table(), e.getMessage());
        int half = batch.size() / 2;
        writeBatch(batch.subList(0, half), whileWaiting, refused, wanted);
        writeBatch(batch.subList(half, batch.size()), whileWaiting, refused, wanted);
    }

    /**
     * {@code call}, retried after a backoff while it fails in a way waiting may cure (DynamoDB down,
     * throttling); one it cannot (an invalid request, a missing table, refused credentials) throws.
     * It runs as a call in flight: it must not wait itself.
     */
    <T> T retrying(String what, Supplier<T> call, Runnable whileWaiting) {
        int attempt = 0;
        while (true) {
            if (attempt > 0) {
                retries.increment();
                backOff(attempt, whileWaiting);
            }
            attempt++;
            try {
                return inFlight(call);
            } catch (SdkException e) {
                requireUsable(e);
                if (isValidation(e)) {
                    throw new TableUnusableException("DynamoDB refused " + what + " on table '" + settings.table() + "': "
                        + message(e), e);
                }
                LOG.warn("{} on '{}' failed (attempt {}); retrying: {}", what, settings.table(), attempt, e.getMessage());
            }
        }
    }

    /** Throws if {@code e} says the table is missing or the credentials are refused. */
    private void requireUsable(SdkException e) {
        if (e instanceof ResourceNotFoundException) {
            throw new TableUnusableException("DynamoDB table '" + settings.table() + "' does not exist (in "
                + settings.region() + settings.endpoint().map(uri -> " at " + uri).orElse("") + "): " + message(e), e);
        }
        // 403 Forbidden: how DynamoDB-compatible servers and proxies in front of DynamoDB refuse (moto
        // answers a missing IAM permission so, without an error code the SDK reads)
        if (e instanceof DynamoDbException dynamo && (dynamo.statusCode() == 403 || dynamo.awsErrorDetails() != null
                && REFUSED_CREDENTIALS.contains(dynamo.awsErrorDetails().errorCode()))) {
            throw new TableUnusableException("DynamoDB refuses the credentials for table '" + settings.table() + "' (HTTP "
                + dynamo.statusCode() + "): " + message(e), e);
        }
    }

    private static boolean isValidation(SdkException e) {
        return e instanceof DynamoDbException dynamo && dynamo.awsErrorDetails() != null
            && VALIDATION.equals(dynamo.awsErrorDetails().errorCode());
    }

    private static String message(SdkException e) {
        return e instanceof DynamoDbException dynamo && dynamo.awsErrorDetails() != null
                && dynamo.awsErrorDetails().errorCode() != null
            ? dynamo.awsErrorDetails().errorCode() + ": " + dynamo.awsErrorDetails().errorMessage()
            : e.getMessage();
    }

    private void backOff(int attempt, Runnable whileWaiting) {
        long cap = Math.min(settings.maxBackoff().toMillis(),
            settings.backoff().toMillis() << Math.min(attempt - 1, 20));
        long deadline = System.nanoTime() + Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1)).toNanos();
        do {
            if (!running.getAsBoolean()) {
                throw new SnapshotSink.Stopped();
            }
            calls.writeLock().lock();
            try {
                whileWaiting.run();
            } finally {
                calls.writeLock().unlock();
            }
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
