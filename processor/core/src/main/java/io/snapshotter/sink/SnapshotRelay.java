package io.snapshotter.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.serde.AvroWireCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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

/**
 * Copies the snapshot topic into a {@link SnapshotSink}, decoupled from folding: its own consumer
 * group reads committed snapshots only ({@code read_committed}), hands them to the sink in batches,
 * and commits its offsets only after the sink has taken them (or reported them as errant). While the
 * sink waits out an outage the relay keeps its partitions paused and its group membership alive, then
 * catches up; the records not yet taken are the gauge {@code snapshotter.<sink>.lag}.
 *
 * <p>A snapshot that does not decode, or that the sink reports, goes to the dead-letter topic with
 * its original bytes and the reason; it stays on the snapshot topic too.
 */
public final class SnapshotRelay implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotRelay.class);
    private static final Duration LAG_REFRESH = Duration.ofSeconds(1);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetterProducer;
    private final String snapshotsTopic;
    private final String deadLetterTopic;
    private final AvroWireCodec codec;
    private final SnapshotSink sink;
    private final String metricPrefix;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong lag = new AtomicLong();
    private final Counter written;
    private final MeterRegistry meters;
    private final Thread thread;
    private final SinkContext context = new Context();
    private long lagRefreshedAt;
    /** The offsets this relay last committed, by partition (only its own thread touches it). */
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /**
     * @param consumerProps the consumer's connection settings; group, isolation, auto-commit and reset
     *                      are set here
     * @param producerProps the dead-letter producer's settings
     */
    public SnapshotRelay(String applicationId, Properties consumerProps, Properties producerProps, String snapshotsTopic,
                         String deadLetterTopic, AvroWireCodec codec, SnapshotSink sink, MeterRegistry meters) {
        Properties consumer = new Properties();
        consumer.putAll(consumerProps);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, applicationId + "-" + sink.name() + "-writer");
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetterProducer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        this.snapshotsTopic = snapshotsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.codec = codec;
        this.sink = sink;
        this.meters = meters;
        this.metricPrefix = "snapshotter." + sink.name() + ".";
        this.written = Counter.builder(metricPrefix + "snapshots.written")
            .description("Snapshots the sink has taken").register(meters);
        Gauge.builder(metricPrefix + "lag", lag, AtomicLong::get)
            .description("Snapshots on the topic not yet in the sink").register(meters);
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
        } catch (WakeupException | SnapshotSink.Stopped stopping) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("{} snapshot writer stopped", sink.name(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            deadLetterProducer.close(Duration.ofSeconds(5));
        }
    }

    private void writeAndCommit(ConsumerRecords<byte[], byte[]> records) {
        List<SinkRecord> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                batch.add(new SinkRecord(codec.decode(record.value(), Snapshot.class), record));
            } catch (SerializationException e) {
                deadLetter(record, DeadLetterReason.UNDECODABLE, "snapshot: " + e.getMessage());
            }
        }
        Set<TopicPartition> assigned = consumer.assignment();
        consumer.pause(assigned);
        try {
            written.increment(sink.write(batch, context));
            deadLetterProducer.flush();
            Map<TopicPartition, OffsetAndMetadata> next = nextOffsets(records);
            consumer.commitSync(next);
            next.forEach((partition, offset) -> committed.put(partition, offset.offset()));
        } catch (KafkaException e) {
            if (e instanceof WakeupException) {
                throw e;
            }
            // a rebalance took the partitions meanwhile: their new owner rewrites them, harmlessly
            LOG.warn("Could not commit the {} snapshot writer's offsets; the records will be written again: {}",
                sink.name(), e.getMessage());
        } finally {
            consumer.resume(consumer.assignment());
        }
        refreshLag(true);
    }

    /**
     * After an empty poll: commits the positions of partitions that moved past their last commit
     * without a record, i.e. over transaction markers (the processor writes snapshots in
     * transactions), so a writer that has caught up shows a lag of 0. Every record before a
     * position has been written by then: {@link #writeAndCommit} returns only once the sink has them.
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
        } catch (KafkaException e) {
            LOG.debug("Could not refresh the {} snapshot writer's lag: {}", sink.name(), e.getMessage());
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
        meters.counter(metricPrefix + "snapshots.dead.lettered", "reason", reason.name()).increment();
    }

    /** Stops the relay; the sink is closed by whoever made it. */
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

    private final class Context implements SinkContext {
        @Override
        public void keepAlive() {
            consumer.poll(Duration.ZERO);
            refreshLag(false);
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
