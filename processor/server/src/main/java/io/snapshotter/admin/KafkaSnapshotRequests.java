package io.snapshotter.admin;

import io.snapshotter.http.HttpSettings;
import io.snapshotter.topology.TopologyConfig;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.topology.SnapshotRequest;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes snapshot requests to {@code topic.snapshot.requests}, keyed by aggregateId with the default
 * partitioner, the way the events are keyed, so a request lands in its aggregate's partition.
 */
public final class KafkaSnapshotRequests implements SnapshotRequests, AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Duration timeout;

    public KafkaSnapshotRequests(ProcessorConfig config) {
        Properties props = config.clientProperties(ProducerConfig.configNames(), "producer.");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-snapshot-requests");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.timeout = Duration.ofMillis(config.getInt(HttpSettings.FORWARD_TIMEOUT_MS));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = config.getString(TopologyConfig.SNAPSHOT_REQUESTS_TOPIC);
    }

    @Override
    public void submit(String aggregateId, SnapshotRequest request) {
        try {
            producer.send(new ProducerRecord<>(topic, aggregateId, request.toBytes())).get(timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new SnapshotRequestFailedException("cannot write to " + topic + ": " + e.getCause().getMessage(),
                e.getCause());
        } catch (TimeoutException e) {
            throw new SnapshotRequestFailedException("writing to " + topic + " took longer than " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnapshotRequestFailedException("interrupted while writing to " + topic, e);
        } catch (RuntimeException e) {
            throw new SnapshotRequestFailedException("cannot write to " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
