package io.snapshotter.dynamodb;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.topology.DeadLetterReason;
import io.snapshotter.topology.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Copies the snapshot topic into the DynamoDB table, decoupled from folding: its own consumer
 * group reads committed snapshots only ({@code read_committed}), writes them in batches, prunes
 * each written aggregate to the newest K, and commits its offsets only after DynamoDB has the
 * items. While DynamoDB is down or throttling it backs off and keeps its partitions paused (and
 * its group membership alive), then catches up; the records not yet in DynamoDB are the gauge
 * {@code snapshotter.dynamodb.lag}.
 *
 * <p>Puts are keyed by (aggregateId, version), so rewriting a snapshot after a restart or a replay
 * leaves one item. A snapshot too large for an item even compressed, or one that does not decode,
 * goes to the dead-letter topic with the reason; it stays on the snapshot topic too.
 */
public final class DynamoDbSnapshotWriter implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbSnapshotWriter.class);
    private static final Duration LAG_REFRESH = Duration.ofSeconds(1);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetterProducer;
    private final String snapshotsTopic;
    private final String deadLetterTopic;
    private final AvroWireCodec codec;
    private final BatchWriter batches;
    private final DynamoDbRetention retention;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong lag = new AtomicLong();
    private final Counter written;
    private final MeterRegistry meters;
    private final Thread thread;
    private long lagRefreshedAt;
    /** The offsets this writer last committed, by partition (only its own thread touches it). */
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    DynamoDbSnapshotWriter(Properties consumerProps, Properties producerProps, String snapshotsTopic,
                           String deadLetterTopic, AvroWireCodec codec, DynamoDbSnapshots snapshots, MeterRegistry meters) {
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetterProducer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        this.snapshotsTopic = snapshotsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.codec = codec;
        this.batches = new BatchWriter(snapshots.client(), snapshots.settings(), running::get, meters);
        this.retention = new DynamoDbRetention(snapshots.client(), snapshots.settings(), batches);
        this.meters = meters;
        this.written = Counter.builder("snapshotter.dynamodb.snapshots.written")
            .description("Snapshots DynamoDB has taken").register(meters);
        Gauge.builder("snapshotter.dynamodb.lag", lag, AtomicLong::get)
            .description("Snapshots on the topic not yet in DynamoDB").register(meters);
        this.thread = new Thread(this, "dynamodb-snapshot-writer");
    }

    void start() {
        thread.start();
    }

    /** Records on the snapshot topic not yet committed as written (refreshed about every second). */
    public long lag() {
        return lag.get();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(snapshotsTopic));
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    writeAndCommit(records);
                } else {
                    commitPositions();
                }
                refreshLag(false);
            }
        } catch (WakeupException | BatchWriter.StoppedException stopping) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("DynamoDB snapshot writer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            deadLetterProducer.close(Duration.ofSeconds(5));
        }
    }

    private void writeAndCommit(ConsumerRecords<byte[], byte[]> records) {
        Map<List<AttributeValue>, WriteRequest> puts = new LinkedHashMap<>();
        Set<String> aggregates = new LinkedHashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Map<String, AttributeValue> item;
            try {
                item = SnapshotItems.toItem(codec.decode(record.value(), Snapshot.class));
            } catch (SerializationException e) {
                deadLetter(record, DeadLetterReason.UNDECODABLE, "snapshot: " + e.getMessage());
                continue;
            }
            int size = SnapshotItems.sizeOf(item);
            if (size > SnapshotItems.MAX_ITEM_BYTES) {
                deadLetter(record, DeadLetterReason.SNAPSHOT_TOO_LARGE, "item of about " + size
                    + " bytes exceeds DynamoDB's " + SnapshotItems.MAX_ITEM_BYTES + "-byte limit");
                continue;
            }
            // one request per key in a batch: DynamoDB refuses duplicates, and the last one wins anyway
            puts.put(List.of(item.get(SnapshotItems.AGGREGATE_ID), item.get(SnapshotItems.VERSION)),
                WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            aggregates.add(item.get(SnapshotItems.AGGREGATE_ID).s());
        }
        Set<TopicPartition> assigned = consumer.assignment();
        consumer.pause(assigned);
        try {
            batches.writeAll(new ArrayList<>(puts.values()), this::keepAlive);
            written.increment(puts.size());
            for (String aggregateId : aggregates) {
                retention.prune(aggregateId, this::keepAlive);
            }
            deadLetterProducer.flush();
            Map<TopicPartition, OffsetAndMetadata> next = nextOffsets(records);
            consumer.commitSync(next);
            next.forEach((partition, offset) -> committed.put(partition, offset.offset()));
        } catch (KafkaException e) {
            if (e instanceof WakeupException) {
                throw e;
            }
            // a rebalance took the partitions meanwhile: their new owner rewrites them, harmlessly
            LOG.warn("Could not commit the snapshot writer's offsets; the records will be written again: {}", e.getMessage());
        } finally {
            consumer.resume(consumer.assignment());
        }
        refreshLag(true);
    }

    /**
     * After an empty poll: commits the positions of partitions that moved past their last commit
     * without a record, i.e. over transaction markers (the processor writes snapshots in
     * transactions), so a writer that has caught up shows a lag of 0. Every record before a
     * position has been written by then: {@link #writeAndCommit} returns only once DynamoDB has them.
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
            LOG.debug("Could not commit the snapshot writer's positions: {}", e.getMessage());
        }
    }

    /** Between write attempts: stay in the group without taking new records, and keep the lag current. */
    private void keepAlive() {
        consumer.poll(Duration.ZERO);
        refreshLag(false);
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
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(2));
            lag.set(ends.entrySet().stream().mapToLong(e -> {
                OffsetAndMetadata done = committed.get(e.getKey());
                return Math.max(0, e.getValue() - (done == null ? 0 : done.offset()));
            }).sum());
        } catch (KafkaException e) {
            LOG.debug("Could not refresh the snapshot writer's lag: {}", e.getMessage());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(partition);
            offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason, String error) {
        LOG.warn("Snapshot at {}-{}@{} dead-lettered: {} {}", record.topic(), record.partition(), record.offset(), reason, error);
        deadLetterProducer.send(new ProducerRecord<>(deadLetterTopic, null, record.timestamp(), record.key(), record.value(),
            DeadLetters.withReason(record.headers(), reason, error, record.topic(), record.partition(), record.offset(),
                System.currentTimeMillis())));
        meters.counter("snapshotter.dynamodb.snapshots.dead.lettered", "reason", reason.name()).increment();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
