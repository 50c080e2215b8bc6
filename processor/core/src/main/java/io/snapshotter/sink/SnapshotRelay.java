package io.snapshotter.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.registry.RegistryUnavailableException;
import io.snapshotter.registry.SchemaNotFoundException;
import io.snapshotter.registry.UnusableSchemaException;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.serde.AvroWireCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the snapshot topic into a {@link SnapshotSink}, decoupled from folding: its own consumer
 * group reads committed snapshots only ({@code read_committed}), hands them to the sink in batches,
 * and commits, per partition, only the offsets of records the sink has taken (or that were
 * dead-lettered, once the broker has the dead letter). While the sink waits out an outage the relay
 * keeps its partitions paused (re-paused when a rebalance assigns them again) and its group
 * membership alive; whatever a poll returns meanwhile is kept for the next batch. What is kept of a
 * partition that a rebalance takes away is dropped uncommitted, for its new owner to write, and so is
 * what the batch being written holds of it: from the poll that revoked it, the sink writes none of
 * it ({@link SinkContext#owns}), so a late write never brings back what the new owner's retention
 * deleted. The records not yet taken are the gauge {@code snapshotter.<sink>.lag}.
 *
 * <p>Supervised: anything the loop throws (a sink's permanent error, a dead letter the broker
 * refused) marks the relay not {@link #status() alive}, with the error, and restarts it with a fresh
 * consumer after a backoff (doubled each time, capped); the gauge {@code snapshotter.<sink>.writer.alive}
 * is 1 or 0. It is alive again once a cycle went through.
 *
 * <p>A snapshot that does not decode, or that the sink reports, goes to the dead-letter topic with
 * its original bytes and the reason; it stays on the snapshot topic too.
 */
public final class SnapshotRelay implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotRelay.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration LAG_REFRESH = Duration.ofSeconds(1);
    private static final Duration REGISTRY_RETRY_MAX = Duration.ofSeconds(10);
    private static final Duration CLIENT_METRICS_REFRESH = Duration.ofSeconds(10);

    /**
     * The delays before restarting a failed relay: {@code backoff} at first, doubled with each failure
     * in a row, at most {@code maxBackoff}.
     */
    public record Restarts(Duration backoff, Duration maxBackoff) {
        public static final Restarts DEFAULT = new Restarts(Duration.ofSeconds(1), Duration.ofMinutes(1));

        Duration after(int failures) {
            long millis = backoff.toMillis() << Math.min(Math.max(failures - 1, 0), 20);
            return Duration.ofMillis(Math.min(maxBackoff.toMillis(), millis));
        }
    }

    /**
     * Whether the relay is writing, for readiness.
     *
     * @param alive     false from a failure until the restarted relay has gone through a cycle
     * @param since     since when that has been so
     * @param lastError the last failure, while not alive; null while alive
     * @param failures  failures in a row (0 while alive)
     */
    public record Status(boolean alive, Instant since, String lastError, int failures) {
    }

    private final Properties consumerProps;
    private final Properties producerProps;
    private final String snapshotsTopic;
    private final String deadLetterTopic;
    private final AvroWireCodec codec;
    private final SnapshotSink sink;
    private final String metricPrefix;
    private final Restarts restarts;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicLong lag = new AtomicLong();
    private final Counter written;
    private final MeterRegistry meters;
    private final Thread thread;
    private final SinkContext context = new Context();
    private volatile Status status = new Status(true, Instant.now(), null, 0);

    // the clients of the current run; only the relay's thread touches them (close() only wakes the consumer)
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    /** Kafka's own metrics of the current run's consumer and producer, in {@link #meters} while they are open. */
    private List<KafkaClientMetrics> clientMetrics = List.of();
    /** Looks for their new metrics (a partition's lag appears once it is assigned) every {@link #CLIENT_METRICS_REFRESH}. */
    private final ScheduledExecutorService clientMetricsRefresh = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "snapshot-writer-metrics");
        thread.setDaemon(true);
        return thread;
    });
    private KafkaProducer<byte[], byte[]> deadLetterProducer;
    /** Records polled but not yet handed to the sink, by partition, in topic order. */
    private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> pending = new LinkedHashMap<>();
    /** Dead letters sent for the batch being written: checked before its offsets are committed. */
    private final List<Future<RecordMetadata>> deadLetterSends = new ArrayList<>();
    /** Partitions a rebalance took while the batch was being written: none of their records is written or committed. */
    private final Set<TopicPartition> revokedDuringBatch = new HashSet<>();
    /**
     * The relay's current ownership of each partition it holds ({@link SinkContext#ownership}): a new
     * number when a rebalance gives it a partition it did not hold just before (an eager rebalance
     * revokes every partition and assigns the same ones again: those keep theirs).
     */
    private final Map<TopicPartition, Long> ownerships = new HashMap<>();
    private long lastOwnership;
    /** The offsets this relay last committed, by partition. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private boolean writing;
    private long lagRefreshedAt;

    /**
     * @param consumerProps the consumer's connection settings; group, isolation, auto-commit and reset
     *                      are set here
     * @param producerProps the dead-letter producer's settings
     */
    public SnapshotRelay(String applicationId, Properties consumerProps, Properties producerProps, String snapshotsTopic,
                         String deadLetterTopic, AvroWireCodec codec, SnapshotSink sink, MeterRegistry meters) {
        this(applicationId, consumerProps, producerProps, snapshotsTopic, deadLetterTopic, codec, sink, meters,
            Restarts.DEFAULT);
    }

    /** As the other constructor, restarting after failures with {@code restarts}. */
    public SnapshotRelay(String applicationId, Properties consumerProps, Properties producerProps, String snapshotsTopic,
                         String deadLetterTopic, AvroWireCodec codec, SnapshotSink sink, MeterRegistry meters,
                         Restarts restarts) {
        this.consumerProps = new Properties();
        this.consumerProps.putAll(consumerProps);
        this.consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, applicationId + "-" + sink.name() + "-writer");
        this.consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.producerProps = new Properties();
        this.producerProps.putAll(producerProps);
        this.snapshotsTopic = snapshotsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.codec = codec;
        this.sink = sink;
        this.meters = meters;
        this.restarts = restarts;
        this.metricPrefix = "snapshotter." + sink.name() + ".";
        this.written = Counter.builder(metricPrefix + "snapshots.written")
            .description("Snapshots the sink has taken").register(meters);
        Gauge.builder(metricPrefix + "lag", lag, AtomicLong::get)
            .description("Snapshots on the topic not yet in the sink").register(meters);
        Gauge.builder(metricPrefix + "writer.alive", this, relay -> relay.status.alive() ? 1 : 0)
            .description("1 while the writer runs, 0 from a failure until its restart went through a cycle")
            .register(meters);
        // every reason at 0 from the start, as the fold's dead letters: a dashboard has its series at once
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLettered(reason);
        }
        // made here, so that a misconfiguration fails the start rather than the first run
        openClients();
        this.thread = new Thread(this, sink.name() + "-snapshot-writer");
    }

    public SnapshotRelay start() {
        thread.start();
        return this;
    }

    /** Records on the snapshot topic not yet committed as written (refreshed about every second). */
    public long lag() {
        return lag.get();
    }

    /** Whether the relay is writing, or since when it is failing and why. */
    public Status status() {
        return status;
    }

    public boolean healthy() {
        return status.alive();
    }

    @Override
    public void run() {
        int failures = 0;
        while (running.get()) {
            try {
                if (consumer == null) {
                    openClients();
                }
                relay();
            } catch (WakeupException | SnapshotSink.Stopped stopping) {
                // closing
            } catch (VirtualMachineError e) {
                status = new Status(false, Instant.now(), describe(e), failures + 1);
                throw e;
            } catch (Throwable e) {
                if (!running.get()) {
                    break;
                }
                failures = status.alive() ? 1 : status.failures() + 1;
                status = new Status(false, status.alive() ? Instant.now() : status.since(), describe(e), failures);
                LOG.error("{} snapshot writer failed ({} in a row); restarting it in {} ms", sink.name(), failures,
                    restarts.after(failures).toMillis(), e);
            } finally {
                closeClients();
            }
            if (running.get() && !status.alive()) {
                awaitStopping(restarts.after(status.failures()));
            }
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void openClients() {
        consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            deadLetterProducer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            consumer = null;
            throw e;
        }
        clientMetrics = List.of(
            new KafkaClientMetrics(consumer, Tags.empty(), clientMetricsRefresh, CLIENT_METRICS_REFRESH),
            new KafkaClientMetrics(deadLetterProducer, Tags.empty(), clientMetricsRefresh, CLIENT_METRICS_REFRESH));
        clientMetrics.forEach(binder -> binder.bindTo(meters));
    }

    private void closeClients() {
        pending.clear();
        ownerships.clear();
        deadLetterSends.clear();
        committed.clear();
        writing = false;
        clientMetrics.forEach(KafkaClientMetrics::close);
        clientMetrics = List.of();
        if (consumer != null) {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the {} snapshot writer's consumer failed: {}", sink.name(), e.toString());
            }
            consumer = null;
        }
        if (deadLetterProducer != null) {
            try {
                deadLetterProducer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the {} snapshot writer's producer failed: {}", sink.name(), e.toString());
            }
            deadLetterProducer = null;
        }
    }

    private void awaitStopping(Duration delay) {
        try {
            stopping.await(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private void relay() {
        consumer.subscribe(List.of(snapshotsTopic), new Rebalances());
        while (running.get()) {
            if (pending.isEmpty()) {
                keep(consumer.poll(POLL));
            }
            if (!pending.isEmpty()) {
                writeAndCommit(drainPending());
            } else if (!consumer.assignment().isEmpty()) {
                commitPositions();
                wentThrough();
            }
            refreshLag(false);
        }
    }

    private void keep(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            pending.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(records.records(partition));
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> drainPending() {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        pending.values().forEach(records::addAll);
        pending.clear();
        return records;
    }

    private void writeAndCommit(List<ConsumerRecord<byte[], byte[]>> records) {
        writing = true;
        consumer.pause(consumer.assignment());
        try {
            List<SinkRecord> batch = new ArrayList<>(records.size());
            for (ConsumerRecord<byte[], byte[]> record : records) {
                Snapshot snapshot = decode(record);
                if (snapshot != null) {
                    batch.add(new SinkRecord(snapshot, record));
                }
            }
            int taken = batch.isEmpty() ? 0 : sink.write(batch, context);
            awaitDeadLetters();
            written.increment(taken);
            // only partitions ours throughout: a revoked one is its new owner's to write and commit
            Set<TopicPartition> owned = new HashSet<>(consumer.assignment());
            owned.removeAll(revokedDuringBatch);
            commit(nextOffsets(records, owned));
            wentThrough();
        } finally {
            writing = false;
            revokedDuringBatch.clear();
            deadLetterSends.clear();
            consumer.resume(consumer.assignment());
        }
        refreshLag(true);
    }

    /** Commits the offsets after a written batch; a failure leaves them to be written again, harmlessly. */
    private void commit(Map<TopicPartition, OffsetAndMetadata> next) {
        if (next.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(next);
            next.forEach((partition, offset) -> committed.put(partition, offset.offset()));
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // a rebalance took the partitions meanwhile: their new owner rewrites them
            LOG.warn("Could not commit the {} snapshot writer's offsets; the records will be written again: {}",
                sink.name(), e.getMessage());
        }
    }

    private void wentThrough() {
        if (!status.alive()) {
            LOG.info("{} snapshot writer running again", sink.name());
            status = new Status(true, Instant.now(), null, 0);
        }
    }

    /**
     * The snapshot a record holds, or null once it is dead-lettered as undecodable. While the registry
     * is unreachable the look-up is retried, with the consumer kept alive, as a sink waits out an outage.
     */
    private Snapshot decode(ConsumerRecord<byte[], byte[]> record) {
        int attempt = 0;
        while (true) {
            try {
                return codec.decode(record.value(), Snapshot.class);
            } catch (SerializationException | SchemaNotFoundException | UnusableSchemaException e) {
                deadLetter(record, DeadLetterReason.UNDECODABLE, "snapshot: " + e.getMessage());
                return null;
            } catch (RegistryUnavailableException e) {
                attempt++;
                LOG.warn("Schema registry unavailable decoding the snapshot at {}-{}@{} (attempt {}); retrying: {}",
                    record.topic(), record.partition(), record.offset(), attempt, e.getMessage());
                long delay = Math.min(REGISTRY_RETRY_MAX.toMillis(), 100L << Math.min(attempt, 10));
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(delay + 1));
                do {
                    if (!running.get()) {
                        throw new SnapshotSink.Stopped();
                    }
                    context.keepAlive();
                    awaitStopping(Duration.ofMillis(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000))));
                } while (System.nanoTime() < deadline);
            }
        }
    }

    /** Waits for the broker to have the batch's dead letters: a refused one fails the batch, uncommitted. */
    private void awaitDeadLetters() {
        if (deadLetterSends.isEmpty()) {
            return;
        }
        deadLetterProducer.flush();
        for (Future<RecordMetadata> send : deadLetterSends) {
            try {
                send.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("A dead letter to '" + deadLetterTopic + "' was refused, so the batch is "
                    + "not committed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnapshotSink.Stopped();
            }
        }
    }

    /**
     * After an empty poll, with nothing pending: commits the positions of partitions that moved past
     * their last commit without a record, i.e. over transaction markers (the processor writes
     * snapshots in transactions), so a writer that has caught up shows a lag of 0. Every record
     * before a position has been written by then: each polled record is kept until the sink takes it,
     * and a rebalance that drops kept records resets the position to the committed offset.
     */
    private void commitPositions() {
        Map<TopicPartition, OffsetAndMetadata> ahead = new LinkedHashMap<>();
        try {
            for (TopicPartition partition : consumer.assignment()) {
                long position = consumer.position(partition, Duration.ofSeconds(2));
                Long done = committed.get(partition);
                if (done == null || position > done) {
                    ahead.put(partition, new OffsetAndMetadata(position));
                }
            }
            if (!ahead.isEmpty()) {
                consumer.commitSync(ahead);
                ahead.forEach((partition, offset) -> committed.put(partition, offset.offset()));
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.debug("Could not commit the {} snapshot writer's positions: {}", sink.name(), e.getMessage());
        }
    }

    private void refreshLag(boolean now) {
        long at = System.nanoTime();
        if (!now && at - lagRefreshedAt < LAG_REFRESH.toNanos()) {
            return;
        }
        lagRefreshedAt = at;
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, Duration.ofSeconds(2));
            Map<TopicPartition, OffsetAndMetadata> done = consumer.committed(assigned, Duration.ofSeconds(2));
            lag.set(ends.entrySet().stream().mapToLong(e -> {
                OffsetAndMetadata offset = done.get(e.getKey());
                return Math.max(0, e.getValue() - (offset == null ? 0 : offset.offset()));
            }).sum());
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.debug("Could not refresh the {} snapshot writer's lag: {}", sink.name(), e.getMessage());
        }
    }

    /** The offset after the last of {@code records} on each partition of {@code assigned}. */
    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<byte[], byte[]>> records,
                                                                     Set<TopicPartition> assigned) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (assigned.contains(partition)) {
                offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        return offsets;
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason, String error) {
        if (!owns(record)) {
            return; // its new owner dead-letters it
        }
        LOG.warn("Snapshot at {}-{}@{} dead-lettered: {} {}", record.topic(), record.partition(), record.offset(), reason, error);
        deadLetterSends.add(deadLetterProducer.send(new ProducerRecord<>(deadLetterTopic, null, record.timestamp(),
            record.key(), record.value(), DeadLetters.withReason(record.headers(), reason, error, record.topic(),
                record.partition(), record.offset(), System.currentTimeMillis()))));
        deadLettered(reason).increment();
    }

    private Counter deadLettered(DeadLetterReason reason) {
        return Counter.builder(metricPrefix + "snapshots.dead.lettered").description("Snapshots the writer dead-lettered, by reason")
            .tag("reason", reason.name()).register(meters);
    }

    private boolean owns(ConsumerRecord<byte[], byte[]> record) {
        return record == null || !revokedDuringBatch.contains(new TopicPartition(record.topic(), record.partition()));
    }

    /** Stops the relay; the sink is closed by whoever made it. */
    @Override
    public void close() {
        running.set(false);
        clientMetricsRefresh.shutdownNow();
        stopping.countDown();
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            if (thread.isAlive()) {
                thread.join(Duration.ofSeconds(30).toMillis());
            } else if (consumer != null) {
                closeClients(); // never started
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * While a batch is being written, partitions a rebalance assigns are paused at once (an eager
     * rebalance assigns even the kept ones afresh, unpaused), and the batch's records of revoked ones
     * are no longer written ({@link SinkContext#owns}); records kept of revoked partitions are dropped,
     * never committed: their new owner starts from the committed offset.
     */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (writing) {
                revokedDuringBatch.addAll(partitions);
            }
            for (TopicPartition partition : partitions) {
                pending.remove(partition);
                committed.remove(partition);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
            // another writer may have held them meanwhile
            partitions.forEach(ownerships::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (writing) {
                consumer.pause(partitions);
            }
            // called at the end of every rebalance, eager or cooperative: what is not assigned now was
            // revoked for good, what was not held before is a new ownership
            Set<TopicPartition> assigned = consumer.assignment();
            ownerships.keySet().retainAll(assigned);
            for (TopicPartition partition : assigned) {
                ownerships.computeIfAbsent(partition, p -> ++lastOwnership);
            }
        }
    }

    private final class Context implements SinkContext {
        @Override
        public void keepAlive() {
            keep(consumer.poll(Duration.ZERO));
            refreshLag(false);
        }

        @Override
        public boolean owns(SinkRecord record) {
            return SnapshotRelay.this.owns(record.source());
        }

        @Override
        public long ownership(SinkRecord record) {
            ConsumerRecord<byte[], byte[]> source = record.source();
            Long ownership = source == null ? null : ownerships.get(new TopicPartition(source.topic(), source.partition()));
            // a partition not held (or a record of none): an ownership no other call shares
            return ownership != null ? ownership : ++lastOwnership;
        }

        @Override
        public boolean running() {
            return running.get();
        }

        @Override
        public void reportErrant(SinkRecord record, DeadLetterReason reason, String error) {
            deadLetter(record.source(), reason, error);
        }
    }
}
