package io.snapshotter.sink;

import io.snapshotter.schema.Snapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One committed snapshot for a sink: decoded, with the record it came from (its original bytes,
 * topic, partition and offset, for a dead letter).
 */
public record SinkRecord(Snapshot snapshot, ConsumerRecord<byte[], byte[]> source) {
}
