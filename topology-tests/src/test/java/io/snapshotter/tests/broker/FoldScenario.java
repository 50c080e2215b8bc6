package io.snapshotter.tests.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.WarehouseFold;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.registry.SchemaRegistryClient;
import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.serde.SpecificAvroSerde;
import io.snapshotter.tests.testing.Await;
import io.snapshotter.tests.testing.ReferenceFold;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The processor on a real broker with exactly-once on, end to end: sample inventory events
 * produced with our serializer (plus two undecodable records) in; the reference fold in the
 * RocksDB store, every count snapshot once on the compacted topic, the bad records dead-lettered
 * out. Run against an in-JVM broker with either registry, and against containers where Docker runs.
 */
final class FoldScenario {

    static final int EVERY_EVENTS = 10;
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** Wire-format bytes naming a schema id no registry has. */
    static final byte[] UNKNOWN_SCHEMA_ID = {0, 0x7f, (byte) 0xff, (byte) 0xff, 0x01, 0x02};

    private final String bootstrapServers;
    private final ProcessorConfig config;
    private final String prefix;

    /**
     * @param registryUrl {@code schema.registry.url} of the processor
     */
    FoldScenario(String bootstrapServers, String registryUrl, Path stateDir) {
        this.bootstrapServers = bootstrapServers;
        this.prefix = "scenario-" + System.nanoTime();
        this.config = new ProcessorConfig(Map.ofEntries(
            Map.entry("kafka.bootstrap.servers", bootstrapServers),
            Map.entry("kafka.application.id", prefix),
            Map.entry("kafka.state.dir", stateDir.toString()),
            Map.entry("schema.registry.url", registryUrl),
            Map.entry("topic.events", prefix + "-events"),
            Map.entry("topic.snapshots", prefix + "-snapshots"),
            Map.entry("topic.dead.letters", prefix + "-dlq"),
            Map.entry("topic.snapshot.requests", prefix + "-snapshot-requests"),
            Map.entry("topics.partitions", "3"),
            Map.entry("snapshot.policy", "count"),
            Map.entry("snapshot.every.events", String.valueOf(EVERY_EVENTS)),
            Map.entry("http.port", "0")));
    }

    ProcessorConfig config() {
        return config;
    }

    /**
     * Runs the scenario and checks its outcome.
     *
     * @param processorRegistry the registry client the processor uses
     * @param producerRegistry  the registry client the event producer (and the checks) use
     */
    void runAndVerify(SchemaRegistryClient processorRegistry, SchemaRegistryClient producerRegistry) throws Exception {
        assertThat(config.streamsProperties().getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
        AvroWireCodec codec = new AvroWireCodec(producerRegistry);
        List<SampleEvent> events = new ArrayList<>();
        SampleInventoryStream stream = new SampleInventoryStream(11, 12, 3, Instant.parse("2026-11-01T00:00:00Z"), 1000);
        for (int i = 0; i < 1500; i++) {
            events.add(stream.next());
        }
        ReferenceFold reference = new ReferenceFold();
        Map<String, SpecificRecord> snapshotStates = new HashMap<>();
        for (SampleEvent e : events) {
            SpecificRecord state = reference.apply(e);
            if (e.sequence() % EVERY_EVENTS == 0) {
                snapshotStates.put(e.aggregateId() + "@" + e.sequence(), state);
            }
        }

        try (ProcessorApp app = ProcessorApp.start(config, processorRegistry)) {
            produce(codec, events);

            ReadOnlyKeyValueStore<String, AggregateRecord> store = app.aggregates(TIMEOUT);
            waitUntil("the store holds every aggregate's last event", () -> reference.states().keySet().stream()
                .allMatch(id -> store.get(id) != null && store.get(id).getVersion() == reference.versions().get(id)));
            for (var entry : reference.states().entrySet()) {
                AggregateRecord record = store.get(entry.getKey());
                assertThat(codec.decode(record.getState().array(), entry.getValue().getClass()))
                    .as("state of %s", entry.getKey()).isEqualTo(entry.getValue());
            }

            var snapshotSerde = SpecificAvroSerde.forValues(codec, Snapshot.class, false).deserializer();
            List<Snapshot> snapshots = readCommitted(config.snapshotsTopic(), snapshotStates.size(),
                value -> snapshotSerde.deserialize(config.snapshotsTopic(), value));
            Map<String, SpecificRecord> seen = new HashMap<>();
            for (Snapshot snapshot : snapshots) {
                String key = snapshot.getAggregateId() + "@" + snapshot.getVersion();
                assertThat(seen.put(key, codec.decode(snapshot.getState().array(), stateTypeOf(snapshot))))
                    .as("snapshot %s emitted once", key).isNull();
                assertThat(snapshot.getMetadata().getReason()).isEqualTo(SnapshotReason.COUNT);
                assertThat(snapshot.getVersion() % EVERY_EVENTS).isZero();
            }
            assertThat(seen).isEqualTo(snapshotStates);

            List<ConsumerRecord<byte[], byte[]>> deadLetters = readCommitted(config.deadLetterTopic(), 2);
            assertThat(deadLetters).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("item-bad", "item-unknown-schema");
            assertThat(deadLetters).allSatisfy(r -> assertThat(DeadLetters.header(r.headers(), DeadLetters.REASON))
                .isEqualTo(DeadLetterReason.UNDECODABLE.name()));

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, config.snapshotsTopic());
                assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
                ConfigResource eventsTopic = new ConfigResource(ConfigResource.Type.TOPIC, config.eventsTopic());
                assertThat(admin.describeConfigs(List.of(eventsTopic)).all().get().get(eventsTopic)
                    .get(TopicConfig.RETENTION_MS_CONFIG).value()).as("the event store is kept for replays").isEqualTo("-1");
                assertThat(admin.listTransactions().all().get()).extracting(TransactionListing::transactionalId)
                    .as("exactly-once: the stream thread's producer is transactional")
                    .anyMatch(id -> id.startsWith(prefix));
            }
        }
    }

    private void produce(AvroWireCodec codec, List<SampleEvent> events) {
        EventEncoder encoder = new EventEncoder(codec, config.eventsTopic());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(config.eventsTopic(), "item-bad", "not an event".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(config.eventsTopic(), "item-unknown-schema", UNKNOWN_SCHEMA_ID));
            for (SampleEvent e : events) {
                producer.send(new ProducerRecord<>(config.eventsTopic(), e.aggregateId(), encoder.encode(e.eventId(),
                    e.aggregateId(), e.aggregateType(), e.sequence(), e.timestamp(), e.payload())));
            }
        }
    }

    private <T> List<T> readCommitted(String topic, int count, Function<byte[], T> decode) throws InterruptedException {
        return readCommitted(topic, count).stream().map(r -> decode.apply(r.value())).toList();
    }

    /** Reads exactly {@code count} committed records, then checks for a second that no more arrive. */
    private List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int count) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(topic));
            waitUntil(count + " records on " + topic, () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        assertThat(records).as("records on %s", topic).hasSize(count);
        return records;
    }

    private static Class<? extends SpecificRecord> stateTypeOf(Snapshot snapshot) {
        return snapshot.getAggregateType().equals(InventoryItemFold.AGGREGATE_TYPE)
            ? new InventoryItemFold().stateType() : new WarehouseFold().stateType();
    }

    static void waitUntil(String what, Await.Condition condition) throws InterruptedException {
        Await.until(what, TIMEOUT, condition);
    }
}
