package io.snapshotter.benchmarks;

import io.snapshotter.domain.inventory.events.StockAdjusted;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Broker-side helpers of the real-broker benchmarks: topics, the sample load, offsets. */
final class BenchKafka {

    /** Seed of the sample stream: every run and every benchmark reads the same events. */
    static final long SEED = 20_260_101L;
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(30);

    private BenchKafka() {
    }

    /** Items and warehouses making up {@code aggregates} aggregates: one warehouse per 100 items. */
    static SampleInventoryStream sampleStream(int aggregates, long seed) {
        int warehouses = Math.max(1, aggregates / 101);
        return new SampleInventoryStream(seed, aggregates - warehouses, warehouses,
            Instant.parse("2026-01-01T00:00:00Z"), 1);
    }

    static void createTopic(Admin admin, String topic, int partitions, boolean compacted)
            throws ExecutionException, InterruptedException {
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty());
        if (compacted) {
            newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        admin.createTopics(List.of(newTopic)).all().get();
        awaitLeaders(admin, topic);
    }

    /**
     * Waits until every partition of {@code topic} has a leader: a producer sending to a topic created a
     * moment ago is told NOT_LEADER_OR_FOLLOWER, and its retried batches may then fail with
     * OUT_OF_ORDER_SEQUENCE_NUMBER (seen on a loaded machine, right after another topic was deleted).
     */
    private static void awaitLeaders(Admin admin, String topic) throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + LEADERS_TIMEOUT.toNanos();
        while (true) {
            try {
                if (admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the partitions of " + topic + " have no leader after " + LEADERS_TIMEOUT);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Deletes the topics of application {@code group} (those named {@code <group>-...}: its changelogs, its
     * own snapshot and dead-letter topics), so that a long run of benchmarks does not fill the broker's disk.
     */
    static void deleteTopicsOf(Admin admin, String group) throws ExecutionException, InterruptedException {
        List<String> topics = admin.listTopics().names().get().stream().filter(t -> t.startsWith(group + "-")).toList();
        if (!topics.isEmpty()) {
            admin.deleteTopics(topics).all().get();
        }
    }

    /** What was produced: count and bytes of the record values. */
    record Produced(long events, long valueBytes, double seconds) {
        double averageBytes() {
            return events == 0 ? 0 : (double) valueBytes / events;
        }
    }

    /**
     * Produces {@code events} sample events of {@code stream} (EventEnvelope with the payload in the Confluent wire
     * format, key = aggregateId) to {@code topic}, as fast as the broker takes them, or until
     * {@code running} turns false.
     */
    static Produced produce(String bootstrap, SchemaRegistryClient registry, String topic, long events,
                            Supplier<SampleEvent> stream, BooleanSupplier running) {
        EventEncoder encoder = new EventEncoder(new AvroWireCodec(registry), topic);
        AtomicLong failures = new AtomicLong();
        long bytes = 0;
        long sent = 0;
        long started = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 131_072,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none",
                // in order without idempotence: on a topic just created, the idempotent producer's retry of
                // a batch the new leader refused came back as OUT_OF_ORDER_SEQUENCE_NUMBER and lost events
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1), new StringSerializer(), new ByteArraySerializer())) {
            for (; sent < events && running.getAsBoolean(); sent++) {
                SampleEvent e = withLongerReferences(stream.get());
                byte[] value = encoder.encode(e.eventId(), e.aggregateId(), e.aggregateType(), e.sequence(),
                    e.timestamp(), e.payload());
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, e.aggregateId(), value), (metadata, error) -> {
                    if (error != null) {
                        failures.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " events could not be produced");
        }
        return new Produced(sent, bytes, (System.nanoTime() - started) / 1e9);
    }

    /**
     * The sample event with order and delivery references as long as real ones tend to be
     * ({@code PO-12/item-00042/line-3} rather than {@code PO-12}), so an event is about 110 bytes.
     */
    static SampleEvent withLongerReferences(SampleEvent e) {
        String suffix = "/" + e.aggregateId() + "/line-" + (e.sequence() % 7 + 1);
        SpecificRecord payload = e.payload();
        if (payload instanceof StockReceived r) {
            payload = new StockReceived(r.getQuantity(), r.getReference() + suffix);
        } else if (payload instanceof StockShipped s) {
            payload = new StockShipped(s.getQuantity(), s.getOrderId() + suffix);
        } else if (payload instanceof StockAdjusted a) {
            payload = new StockAdjusted(a.getDelta(), a.getReason() + suffix);
        } else {
            return e;
        }
        return new SampleEvent(e.eventId(), e.aggregateType(), e.aggregateId(), e.sequence(), e.timestamp(), payload);
    }

    static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, int partitions)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                : admin.listOffsets(request).all().get().entrySet()) {
            ends.put(e.getKey(), e.getValue().offset());
        }
        return ends;
    }

    static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Offsets {@code group} has committed on the partitions of {@code ends} (missing: 0), summed. */
    static long committed(Admin admin, String group, Map<TopicPartition, Long> ends)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata().get();
        long total = 0;
        for (TopicPartition tp : ends.keySet()) {
            OffsetAndMetadata o = offsets.get(tp);
            total += o == null ? 0 : o.offset();
        }
        return total;
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp dir left behind
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void printProduced(PrintStream out, String topic, int partitions, Produced produced) {
        out.printf("Produced %,d events (%.0f B average value) to %s (%d partitions) in %.1f s: %,.0f ev/s%n",
            produced.events(), produced.averageBytes(), topic, partitions, produced.seconds(),
            produced.events() / produced.seconds());
    }
}
