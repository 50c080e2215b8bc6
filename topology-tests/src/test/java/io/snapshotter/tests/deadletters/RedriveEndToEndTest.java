package io.snapshotter.tests.deadletters;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.app.ProcessorApp;
import io.snapshotter.cli.Launcher;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.fold.DomainEvent;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.tests.testing.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole re-drive path on a real broker: a rejected event parks its aggregate, later ones are
 * held back, the producer fixes the data, {@code dead-letters redrive} sends the held ones back, the
 * aggregate ends where the good events take it, and a second re-drive of everything changes nothing.
 */
class RedriveEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldUnparkAndCatchUpWhenTheHeldEventsAreReDrivenAndChangeNothingTheSecondTime() throws Exception {
        String app = "redrive-" + System.nanoTime();
        Path file = dir.resolve(app + ".properties");
        Files.writeString(file, String.join("\n",
            "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
            "kafka.application.id=" + app,
            "kafka.state.dir=" + Files.createDirectories(dir.resolve("state")),
            "kafka.commit.interval.ms=200",
            "schema.registry.url=mock://" + app,
            "topic.events=" + app + "-events",
            "topic.snapshots=" + app + "-snapshots",
            "topic.dead.letters=" + app + "-dlq",
            "topic.snapshot.requests=" + app + "-snapshot-requests",
            "topics.partitions=2",
            "http.enabled=false",
            ""), StandardCharsets.UTF_8);
        Map<String, String> values = io.snapshotter.config.ConfigSources.load(dir.resolve("none"), file, Map.of())
            .values();
        ProcessorConfig config = new ProcessorConfig(values);
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        EventEncoder encoder = new EventEncoder(new AvroWireCodec(registry), config.eventsTopic());
        List<DomainEvent> good = new ArrayList<>();

        try (ProcessorApp processor = ProcessorApp.start(config, registry);
             KafkaProducer<byte[], byte[]> producer = producer()) {
            good.add(send(producer, encoder, config, 1, "e1", new ItemRegistered("SKU-1", "Widget", "wh-1")));
            good.add(send(producer, encoder, config, 2, "e2", new StockReceived(5, "PO-1")));
            send(producer, encoder, config, 3, "e3", new StockShipped(6, "order-1"));  // more than on hand
            DomainEvent four = send(producer, encoder, config, 4, "e4", new StockReceived(10, "PO-2"));
            DomainEvent five = send(producer, encoder, config, 5, "e5", new StockShipped(1, "order-2"));
            ReadOnlyKeyValueStore<String, AggregateRecord> store = processor.aggregates(TIMEOUT);
            Await.until("three dead letters", TIMEOUT, () -> deadLetters(config).size() == 3);
            assertThat(deadLetters(config)).containsExactly("FOLD_FAILED", "AGGREGATE_PARKED", "AGGREGATE_PARKED");
            AggregateRecord parked = store.get("item-1");
            assertThat(parked.getVersion()).isEqualTo(2);
            assertThat(parked.getParked().getSequence()).isEqualTo(3);
            assertThat(parked.getParked().getEventsHeld()).isEqualTo(2);

            // the data is fixed: the producer sends a corrected event 3; then the held ones are re-driven
            good.add(send(producer, encoder, config, 3, "e3-corrected", new StockShipped(2, "order-1")));
            Await.until("item-1 un-parked", TIMEOUT, () -> store.get("item-1").getParked() == null);
            Run redrive = launch("dead-letters", "redrive", "--config", file.toString(), "--aggregate", "item-1",
                "--reason", DeadLetterReason.AGGREGATE_PARKED.name());
            assertThat(redrive.exitCode()).as(redrive.err()).isZero();
            good.add(four);
            good.add(five);
            Await.until("item-1 at version 5", TIMEOUT, () -> store.get("item-1").getVersion() == 5);
            AggregateRecord caughtUp = store.get("item-1");
            assertThat(new AvroWireCodec(registry).decode(caughtUp.getState().array(), InventoryItemState.class))
                .isEqualTo(referenceFold(good));

            // everything for item-1 once more, the original bad event 3 included: all duplicates now
            Run again = launch("dead-letters", "redrive", "--config", file.toString(), "--aggregate", "item-1");
            assertThat(again.exitCode()).as(again.err()).isZero();
            awaitCaughtUp(config);
            assertThat(store.get("item-1")).isEqualTo(caughtUp);
            assertThat(deadLetters(config)).hasSize(3);
        }
    }

    private static DomainEvent send(KafkaProducer<byte[], byte[]> producer, EventEncoder encoder, ProcessorConfig config,
                                    long sequence, String eventId, SpecificRecord payload) throws Exception {
        Instant at = T0.plusSeconds(sequence);
        EventEnvelope envelope = encoder.envelope(eventId, "item-1", InventoryItemFold.AGGREGATE_TYPE, sequence, at,
            payload);
        producer.send(new ProducerRecord<>(config.eventsTopic(), "item-1".getBytes(StandardCharsets.UTF_8),
            encoder.encode(envelope))).get();
        return new DomainEvent(eventId, "item-1", sequence, at, payload);
    }

    private static InventoryItemState referenceFold(List<DomainEvent> events) {
        InventoryItemFold fold = new InventoryItemFold();
        InventoryItemState state = null;
        for (DomainEvent event : events) {
            state = fold.apply(state, event);
        }
        return state;
    }

    /** The reasons of the committed dead letters, in the order of their topic (one key: one partition). */
    private static List<String> deadLetters(ProcessorConfig config) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(config.deadLetterTopic()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<String> reasons = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    reasons.add(DeadLetters.header(record.headers(), DeadLetters.REASON));
                }
            }
            return reasons;
        }
    }

    /** Waits until the processor has committed every event on the events topic. */
    private static void awaitCaughtUp(ProcessorConfig config) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(List.of(config.eventsTopic())).allTopicNames()
                .get().get(config.eventsTopic()).partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(config.eventsTopic(), p.partition()),
                    p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
            Await.until("the processor committed every event", TIMEOUT, () -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(config.applicationId())
                    .partitionsToOffsetAndMetadata().get();
                return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                    || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset());
            });
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run launch(String... args) {
        CommandLine line = Launcher.commandLine(new Launcher());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = line.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
