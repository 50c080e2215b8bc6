package io.snapshotter.deadletters;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.topology.TopologyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The dead-letter topic read once from the beginning to the end offsets taken when reading starts:
 * dead letters written meanwhile (a re-drive rejected again, say) wait for the next run. Committed
 * records only, by partition and offset; no consumer group, so nothing is committed and nothing
 * shows up as a lagging group.
 */
public final class DeadLetterLog {

    private static final Duration POLL = Duration.ofMillis(200);

    private final ProcessorConfig config;

    public DeadLetterLog(ProcessorConfig config) {
        this.config = config;
    }

    /** What a read found: the matching dead letters in log order, and how many records were read in all. */
    public record Read(List<DeadLetter> matched, long total) {
    }

    /** @throws ConfigException if the dead-letter topic does not exist (the message names the key) */
    public Read read(Predicate<DeadLetter> filter) {
        String topic = config.deadLetterTopic();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new ConfigException(TopologyConfig.DEAD_LETTER_TOPIC + ": no topic '" + topic + "' on the cluster");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Set<TopicPartition> reading = new HashSet<>(partitions);
            reading.removeIf(p -> consumer.position(p) >= end.get(p));
            consumer.pause(partitions.stream().filter(p -> !reading.contains(p)).toList());
            List<DeadLetter> matched = new ArrayList<>();
            long total = 0;
            while (!reading.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        total++;
                        DeadLetter letter = DeadLetter.of(record);
                        if (filter.test(letter)) {
                            matched.add(letter);
                        }
                    }
                }
                // positions, not record offsets: transaction markers and aborted records occupy offsets too
                List<TopicPartition> done = reading.stream().filter(p -> consumer.position(p) >= end.get(p)).toList();
                done.forEach(reading::remove);
                consumer.pause(done);
            }
            return new Read(matched, total);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = config.clientProperties(ConsumerConfig.configNames(), "consumer.");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-dead-letters");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
