package io.snapshotter.tests.broker;

import static io.snapshotter.deadletter.DeadLetterReason.AGGREGATE_ID_MISMATCH;
import static io.snapshotter.deadletter.DeadLetterReason.AGGREGATE_PARKED;
import static io.snapshotter.deadletter.DeadLetterReason.AGGREGATE_TYPE_MISMATCH;
import static io.snapshotter.deadletter.DeadLetterReason.CONFLICTING_DUPLICATE;
import static io.snapshotter.deadletter.DeadLetterReason.FOLD_FAILED;
import static io.snapshotter.deadletter.DeadLetterReason.INVALID_AGGREGATE_ID;
import static io.snapshotter.deadletter.DeadLetterReason.INVALID_SEQUENCE;
import static io.snapshotter.deadletter.DeadLetterReason.MISSING_AGGREGATE_ID;
import static io.snapshotter.deadletter.DeadLetterReason.SEQUENCE_GAP;
import static io.snapshotter.deadletter.DeadLetterReason.UNDECODABLE;
import static io.snapshotter.deadletter.DeadLetterReason.UNKNOWN_AGGREGATE_TYPE;
import static io.snapshotter.deadletter.DeadLetterReason.UNKNOWN_EVENT_TYPE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.events.WarehouseOpened;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.registry.SchemaRegistries;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.schema.store.Parked;
import io.snapshotter.serde.AvroWireCodec;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.tests.registry.ApicurioRegistry;
import io.snapshotter.tests.testing.Await;
import io.snapshotter.tests.testing.ReferenceFold;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An adversarial corpus of bad input, interleaved with good events of several aggregates, through
 * the processor on a real broker (exactly-once) with a real registry (Apicurio, holding a JSON
 * Schema and a Protobuf subject beside the Avro ones): every bad record is dead-lettered exactly
 * once with its reason and its original key, value and headers (a 2 MB one included), the stream
 * thread survives all of them, and the store holds the reference fold of the good events, with the
 * two aggregates whose next event was rejected parked there.
 */
class BadInputCorpusTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    private static final int PARTITIONS = 3;
    private static final int EVENTS_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    private static final int LARGE_VALUE_BYTES = 2 * 1024 * 1024;
    /** Good sample events produced between two steps of the corpus. */
    private static final int EVENTS_PER_STEP = 8;
    /** Set on every bad record: the dead letter must carry the original headers. */
    private static final String KIND_HEADER = "corpus.kind";
    private static final String PARKED_ITEM = "item-parked";
    private static final String WRONG_EVENT_ITEM = "item-wrong-event";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry apicurio;

    @BeforeAll
    static void startBrokerAndRegistry() throws Exception {
        CompletableFuture<ApicurioRegistry> registry = CompletableFuture.supplyAsync(() -> {
            try {
                return ApicurioRegistry.start();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("Cannot start Apicurio", e);
            }
        });
        try {
            kafka = EmbeddedKafka.start();
        } finally {
            apicurio = registry.join();
        }
    }

    @AfterAll
    static void stopBrokerAndRegistry() throws Exception {
        if (apicurio != null) {
            apicurio.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldDeadLetterEveryBadRecordOnceAndFoldTheGoodEventsAroundThemWithoutLosingTheStreamThread(
            @TempDir Path stateDir) throws Exception {
        String prefix = "corpus-" + System.nanoTime();
        ProcessorConfig config = new ProcessorConfig(Map.ofEntries(
            Map.entry("kafka.bootstrap.servers", kafka.bootstrapServers()),
            Map.entry("kafka.application.id", prefix),
            Map.entry("kafka.state.dir", stateDir.toString()),
            Map.entry("kafka.num.stream.threads", "1"),
            Map.entry("schema.registry.url", apicurio.url()),
            Map.entry("topic.events", prefix + "-events"),
            Map.entry("topic.snapshots", prefix + "-snapshots"),
            Map.entry("topic.dead.letters", prefix + "-dlq"),
            Map.entry("topic.snapshot.requests", prefix + "-snapshot-requests"),
            Map.entry("topics.create", "true"),
            Map.entry("topics.partitions", Integer.toString(PARTITIONS)),
            Map.entry("http.enabled", "false")));
        assertThat(config.streamsProperties().getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
        createEventsTopic(config.eventsTopic());
        int jsonSchemaId = registerRaw(prefix + "-json-value", Map.of("schemaType", "JSON",
            "schema", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"));
        int protobufSchemaId = registerRaw(prefix + "-proto-value", Map.of("schemaType", "PROTOBUF",
            "schema", "syntax = \"proto3\"; message M { string a = 1; }"));

        AvroWireCodec codec = new AvroWireCodec(new RestSchemaRegistryClient(
            RestSchemaRegistryClient.Settings.of(apicurio.url())));
        Corpus corpus = new Corpus(new EventEncoder(codec, config.eventsTopic()), jsonSchemaId, protobufSchemaId);
        List<Input> inputs = corpus.build();
        List<Input> bad = inputs.stream().filter(Input::isBad).toList();
        assertThat(bad.stream().map(Input::expected).distinct())
            .as("the corpus covers twelve dead-letter reasons").hasSize(12);

        try (ProcessorApp app = ProcessorApp.start(config, SchemaRegistries.fromConfig(config.registry()));
             StateWatch watch = new StateWatch(app.streams())) {
            KafkaStreams streams = app.streams();
            ReadOnlyKeyValueStore<String, AggregateRecord> store = app.aggregates(TIMEOUT);
            Await.until("Kafka Streams is RUNNING", TIMEOUT, () -> streams.state() == KafkaStreams.State.RUNNING);
            Set<String> threadsAtStart = threadNames(streams);
            assertThat(threadsAtStart).hasSize(1);
            watch.start();

            Map<String, Input> sentAt = produce(config.eventsTopic(), inputs);
            List<ConsumerRecord<byte[], byte[]>> deadLetters = readDeadLetters(config.deadLetterTopic(), bad.size(), watch);
            Await.until("the store holds every good event", TIMEOUT, () -> {
                watch.requireRunning();
                return corpus.reference.versions().entrySet().stream().allMatch(e -> {
                    AggregateRecord record = store.get(e.getKey());
                    return record != null && record.getVersion() == e.getValue();
                });
            });

            assertEachBadRecordDeadLetteredOnce(config.eventsTopic(), sentAt, deadLetters);
            watch.requireRunning();
            assertThat(threadNames(streams)).as("stream threads, none replaced").isEqualTo(threadsAtStart);
            assertThat(failedStreamThreads(streams)).as("failed-stream-threads").isZero();
            assertStoreHoldsTheReferenceFold(store, corpus.reference, codec);
        }
    }

    /** Matched by source offset: each dead letter is the record produced there, with its reason, key, value and headers. */
    private static void assertEachBadRecordDeadLetteredOnce(String eventsTopic, Map<String, Input> sentAt,
                                                            List<ConsumerRecord<byte[], byte[]>> deadLetters) {
        Map<String, Input> badAt = sentAt.entrySet().stream().filter(e -> e.getValue().isBad())
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Map<String, ConsumerRecord<byte[], byte[]>> deadLetterOf = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
            assertThat(DeadLetters.header(deadLetter.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(eventsTopic);
            String source = DeadLetters.header(deadLetter.headers(), DeadLetters.SOURCE_PARTITION) + "@"
                + DeadLetters.header(deadLetter.headers(), DeadLetters.SOURCE_OFFSET);
            assertThat(deadLetterOf.put(source, deadLetter)).as("dead letters of the record at %s (%s)", source,
                sentAt.containsKey(source) ? sentAt.get(source).kind() : "not sent").isNull();
        }
        assertThat(deadLetterOf.keySet()).as("source offsets of the dead letters").isEqualTo(badAt.keySet());
        for (var entry : badAt.entrySet()) {
            Input input = entry.getValue();
            ConsumerRecord<byte[], byte[]> deadLetter = deadLetterOf.get(entry.getKey());
            assertThat(DeadLetters.header(deadLetter.headers(), DeadLetters.REASON))
                .as("reason of %s (%s)", input.kind(), DeadLetters.header(deadLetter.headers(), DeadLetters.ERROR))
                .isEqualTo(input.expected().name());
            assertThat(deadLetter.key()).as("key of %s", input.kind()).isEqualTo(input.key());
            assertThat(deadLetter.headers().lastHeader(DeadLetters.VALUE_OMITTED))
                .as("%s dead-lettered with its value", input.kind()).isNull();
            assertThat(deadLetter.value()).as("value of %s", input.kind()).isEqualTo(input.value());
            assertThat(DeadLetters.header(deadLetter.headers(), KIND_HEADER))
                .as("original headers of %s", input.kind()).isEqualTo(input.kind());
        }
    }

    /** Exactly the aggregates of the good events, each at its reference state; only the two rejected ones parked. */
    private static void assertStoreHoldsTheReferenceFold(ReadOnlyKeyValueStore<String, AggregateRecord> store,
                                                         ReferenceFold reference, AvroWireCodec codec) {
        Map<String, AggregateRecord> stored = new HashMap<>();
        try (KeyValueIterator<String, AggregateRecord> it = store.all()) {
            it.forEachRemaining(kv -> stored.put(kv.key, kv.value));
        }
        assertThat(stored.keySet()).as("aggregates in the store").isEqualTo(reference.versions().keySet());
        for (var entry : reference.states().entrySet()) {
            String id = entry.getKey();
            AggregateRecord record = stored.get(id);
            assertThat(record.getVersion()).as("version of %s", id).isEqualTo(reference.versions().get(id));
            assertThat(codec.decode(record.getState().array(), entry.getValue().getClass()))
                .as("state of %s", id).isEqualTo(entry.getValue());
            if (!id.equals(PARKED_ITEM) && !id.equals(WRONG_EVENT_ITEM)) {
                assertThat(record.getParked()).as("%s is not parked", id).isNull();
            }
        }
        assertParked(stored.get(PARKED_ITEM), 3, FOLD_FAILED, 2);
        assertParked(stored.get(WRONG_EVENT_ITEM), 2, UNKNOWN_EVENT_TYPE, 1);
    }

    /** The aggregate was rejected at {@code sequence}, so it stays at the version before, holding what came after. */
    private static void assertParked(AggregateRecord record, long sequence, DeadLetterReason reason, long eventsHeld) {
        Parked parked = record.getParked();
        assertThat(parked).as("parked").isNotNull();
        assertThat(parked.getSequence()).as("parked sequence").isEqualTo(sequence);
        assertThat(parked.getReason()).as("parked reason (%s)", parked.getError()).isEqualTo(reason.name());
        assertThat(parked.getEventsHeld()).as("events held back").isEqualTo(eventsHeld);
        assertThat(record.getVersion()).as("version of a parked aggregate").isEqualTo(sequence - 1);
    }

    /**
     * The records to produce, in order: good sample events with a step of the corpus after every
     * {@value #EVENTS_PER_STEP} of them. A step that needs an aggregate to exist asks the reference fold
     * of the good events so far, which is what the processor will have folded by then.
     */
    private static final class Corpus {

        final ReferenceFold reference = new ReferenceFold();
        private final EventEncoder encoder;
        private final int jsonSchemaId;
        private final int protobufSchemaId;
        private final List<Input> inputs = new ArrayList<>();
        private final Map<String, byte[]> lastGoodValue = new HashMap<>();
        private final Random random = new Random(42);
        private long clock = START.toEpochMilli();
        private int badEvents;

        Corpus(EventEncoder encoder, int jsonSchemaId, int protobufSchemaId) {
            this.encoder = encoder;
            this.jsonSchemaId = jsonSchemaId;
            this.protobufSchemaId = protobufSchemaId;
        }

        List<Input> build() {
            byte[] valid = anyEnvelope("item-00001", 1);
            byte[] envelopeHeader = Arrays.copyOf(valid, 5);
            List<Consumer<Corpus>> steps = List.of(
                c -> c.good(item(PARKED_ITEM, 1, new ItemRegistered("SKU-P", "Parked item", "warehouse-000"))),
                c -> c.bad("random bytes", "item-00001", randomBytes(64), UNDECODABLE),
                c -> c.bad("null value", "item-00001", null, UNDECODABLE),
                c -> c.good(item(WRONG_EVENT_ITEM, 1, new ItemRegistered("SKU-W", "Wrong-event item", "warehouse-001"))),
                c -> c.bad("wrong magic byte", "item-00002", withFirstByte(valid, (byte) 1), UNDECODABLE),
                c -> c.good(item(PARKED_ITEM, 2, new StockReceived(5, "PO-P"))),
                c -> c.bad("unknown schema id", "item-00002", FoldScenario.UNKNOWN_SCHEMA_ID, UNDECODABLE),
                c -> c.bad("JSON Schema id", "item-00003", wireFormat(jsonSchemaId,
                    "{\"a\":\"x\"}".getBytes(StandardCharsets.UTF_8)), UNDECODABLE),
                // message index 0, then field 1 (a) = "x"
                c -> c.bad("Protobuf schema id", "item-00003", wireFormat(protobufSchemaId,
                    new byte[] {0, 0x0a, 0x01, 'x'}), UNDECODABLE),
                c -> c.bad("truncated envelope", "item-00001", Arrays.copyOf(valid, valid.length / 2), UNDECODABLE),
                // the eventId's length, zig-zag varint 2^31 (= 2^30), then three bytes
                c -> c.bad("string length 2^30 in 13 bytes", "item-00001", concat(envelopeHeader,
                    new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'a', 'b', 'c'}), UNDECODABLE),
                c -> c.bad("null key", (byte[]) null, c.anyEnvelope("item-nullkey", 1), MISSING_AGGREGATE_ID),
                c -> c.bad("empty key", new byte[0], anyEnvelope("", 1), MISSING_AGGREGATE_ID),
                c -> c.bad("key over 1024 bytes", "item-" + "x".repeat(1100), anyEnvelope("item-" + "x".repeat(1100), 1),
                    INVALID_AGGREGATE_ID),
                c -> c.bad("key with a control character", "item-\u0007bell", anyEnvelope("item-\u0007bell", 1),
                    INVALID_AGGREGATE_ID),
                c -> c.bad("key not UTF-8", new byte[] {'i', (byte) 0xC3, 0x28}, anyEnvelope("i\uFFFD(", 1),
                    INVALID_AGGREGATE_ID),
                c -> c.bad("key and envelope aggregateId differ", "item-00002", anyEnvelope("item-00003", 1),
                    AGGREGATE_ID_MISMATCH),
                c -> c.bad("envelope aggregateId empty", "item-00004", anyEnvelope("", 1), MISSING_AGGREGATE_ID),
                c -> c.bad("sequence 0", "item-00004", anyEnvelope("item-00004", 0), INVALID_SEQUENCE),
                c -> c.bad("unknown aggregate type", "spaceship-1", c.envelope(c.badEventId(), "spaceship-1", "Spaceship", 1,
                    new StockReceived(1, "PO-S")), UNKNOWN_AGGREGATE_TYPE),
                c -> {
                    String warehouse = c.existing(SampleInventoryStream.warehouseId(0));
                    c.bad("aggregate type mismatch", warehouse, c.envelope(c.badEventId(), warehouse,
                        InventoryItemFold.AGGREGATE_TYPE, c.version(warehouse) + 1, new StockReceived(1, "PO-T")),
                        AGGREGATE_TYPE_MISMATCH);
                },
                c -> c.bad("a Warehouse event for an InventoryItem", WRONG_EVENT_ITEM, c.envelope(c.badEventId(),
                    WRONG_EVENT_ITEM, InventoryItemFold.AGGREGATE_TYPE, 2, new WarehouseOpened("W", "Site W", 100)),
                    UNKNOWN_EVENT_TYPE),
                c -> {
                    String item = c.existing(SampleInventoryStream.itemId(0));
                    c.bad("sequence gap", item, c.envelope(c.badEventId(), item, InventoryItemFold.AGGREGATE_TYPE,
                        c.version(item) + 3, new StockReceived(1, "PO-G")), SEQUENCE_GAP);
                },
                c -> {
                    String item = c.existing(SampleInventoryStream.itemId(1));
                    c.bad("conflicting duplicate", item, c.envelope(c.badEventId(), item, InventoryItemFold.AGGREGATE_TYPE,
                        c.version(item), new StockReceived(1, "PO-D")), CONFLICTING_DUPLICATE);
                },
                c -> {
                    String item = c.existing(SampleInventoryStream.itemId(2));
                    c.inputs.add(new Input("exact duplicate of " + item + "@" + c.version(item), utf8(item),
                        c.lastGoodValue.get(item), null));
                },
                c -> c.bad("ship more than on hand", PARKED_ITEM, c.itemEnvelope(PARKED_ITEM, 3, new StockShipped(500, "SO-P")),
                    FOLD_FAILED),
                c -> c.bad("event after the parked one", PARKED_ITEM, c.itemEnvelope(PARKED_ITEM, 4,
                    new StockReceived(1, "PO-P2")), AGGREGATE_PARKED),
                c -> c.bad("2 MB of garbage", "item-00005", concat(envelopeHeader, randomBytes(LARGE_VALUE_BYTES)),
                    UNDECODABLE),
                c -> c.bad("second event after the parked one", PARKED_ITEM, c.itemEnvelope(PARKED_ITEM, 5,
                    new StockShipped(1, "SO-P2")), AGGREGATE_PARKED),
                c -> c.bad("event after the unknown event type", WRONG_EVENT_ITEM, c.itemEnvelope(WRONG_EVENT_ITEM, 3,
                    new StockReceived(1, "PO-W")), AGGREGATE_PARKED));

            SampleInventoryStream stream = new SampleInventoryStream(7, 6, 2, START, 1000);
            for (Consumer<Corpus> step : steps) {
                for (int i = 0; i < EVENTS_PER_STEP; i++) {
                    good(stream.next());
                }
                step.accept(this);
            }
            for (int i = 0; i < EVENTS_PER_STEP; i++) {
                good(stream.next());
            }
            return inputs;
        }

        private void good(SampleEvent event) {
            reference.apply(event);
            byte[] value = encoder.encode(event.eventId(), event.aggregateId(), event.aggregateType(), event.sequence(),
                event.timestamp(), event.payload());
            lastGoodValue.put(event.aggregateId(), value);
            inputs.add(new Input(event.aggregateId() + "@" + event.sequence(), utf8(event.aggregateId()), value, null));
        }

        private void bad(String kind, String key, byte[] value, DeadLetterReason expected) {
            bad(kind, key == null ? null : utf8(key), value, expected);
        }

        private void bad(String kind, byte[] key, byte[] value, DeadLetterReason expected) {
            inputs.add(new Input(kind, key, value, expected));
        }

        private SampleEvent item(String id, long sequence, SpecificRecord payload) {
            return new SampleEvent(id + "#" + sequence, InventoryItemFold.AGGREGATE_TYPE, id, sequence, nextTime(), payload);
        }

        private byte[] itemEnvelope(String id, long sequence, SpecificRecord payload) {
            return envelope(badEventId(), id, InventoryItemFold.AGGREGATE_TYPE, sequence, payload);
        }

        /** A well-formed InventoryItem event envelope; the key or the envelope's fields make it bad. */
        private byte[] anyEnvelope(String aggregateId, long sequence) {
            return itemEnvelope(aggregateId, sequence, new StockReceived(1, "PO-X"));
        }

        private byte[] envelope(String eventId, String aggregateId, String aggregateType, long sequence,
                                SpecificRecord payload) {
            return encoder.encode(eventId, aggregateId, aggregateType, sequence, nextTime(), payload);
        }

        private String badEventId() {
            return UUID.nameUUIDFromBytes(("bad#" + badEvents++).getBytes(StandardCharsets.UTF_8)).toString();
        }

        private String existing(String aggregateId) {
            if (!reference.versions().containsKey(aggregateId)) {
                throw new IllegalStateException(aggregateId + " has no event before this step; reorder the corpus");
            }
            return aggregateId;
        }

        private long version(String aggregateId) {
            return reference.versions().get(aggregateId);
        }

        private Instant nextTime() {
            clock += 500;
            return Instant.ofEpochMilli(clock);
        }

        private byte[] randomBytes(int length) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }
    }

    /** One record to produce; {@code expected} is its dead-letter reason, null for one that is no dead letter. */
    private record Input(String kind, byte[] key, byte[] value, DeadLetterReason expected) {
        boolean isBad() {
            return expected != null;
        }
    }

    /** Produces {@code inputs} in order; returns them by where they landed ({@code partition@offset}). */
    private static Map<String, Input> produce(String topic, List<Input> inputs) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, EVENTS_MAX_MESSAGE_BYTES),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Input input : inputs) {
                RecordHeaders headers = new RecordHeaders();
                if (input.isBad()) {
                    headers.add(KIND_HEADER, utf8(input.kind()));
                }
                sent.add(producer.send(new ProducerRecord<>(topic, null, null, input.key(), input.value(), headers)));
            }
        }
        Map<String, Input> byPosition = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            RecordMetadata metadata = sent.get(i).get();
            byPosition.put(metadata.partition() + "@" + metadata.offset(), inputs.get(i));
        }
        return byPosition;
    }

    /** Reads {@code count} committed dead letters, then for a second more, checking that no more arrive. */
    private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(String topic, int count, StateWatch watch)
            throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(topic));
            Await.until(count + " dead letters on " + topic, TIMEOUT, () -> {
                watch.requireRunning();
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        assertThat(records).as("dead letters").hasSize(count);
        return records;
    }

    private void createEventsTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1).configs(Map.of(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(EVENTS_MAX_MESSAGE_BYTES),
                TopicConfig.RETENTION_MS_CONFIG, "-1")))).all().get();
        }
    }

    /** Registers a non-Avro schema through the Confluent API; our client registers Avro only. */
    private static int registerRaw(String subject, Map<String, ?> body) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(apicurio.url() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("id").asInt();
    }

    private static Set<String> threadNames(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream().map(ThreadMetadata::threadName).collect(Collectors.toSet());
    }

    private static double failedStreamThreads(KafkaStreams streams) {
        return streams.metrics().values().stream().filter(m -> m.metricName().name().equals("failed-stream-threads"))
            .mapToDouble(m -> ((Number) m.metricValue()).doubleValue()).sum();
    }

    private static byte[] wireFormat(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    }

    private static byte[] withFirstByte(byte[] bytes, byte first) {
        byte[] copy = bytes.clone();
        copy[0] = first;
        return copy;
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        return ByteBuffer.allocate(head.length + tail.length).put(head).put(tail).array();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Every state Kafka Streams passes through once started: a stream thread that dies on a record
     * (and is replaced, or takes the client down) shows as a state other than RUNNING. Sampled every
     * few milliseconds: the processor's own state listener is the only one Kafka Streams takes.
     */
    private static final class StateWatch implements AutoCloseable {
        private final KafkaStreams streams;
        private final Set<KafkaStreams.State> seen = ConcurrentHashMap.newKeySet();
        private final Thread sampler;
        private volatile boolean running = true;

        StateWatch(KafkaStreams streams) {
            this.streams = streams;
            this.sampler = new Thread(() -> {
                while (running) {
                    seen.add(streams.state());
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "corpus-state-watch");
            sampler.setDaemon(true);
        }

        void start() {
            sampler.start();
        }

        /** Fails (an error, which {@link Await} does not retry) once Kafka Streams left RUNNING. */
        void requireRunning() {
            seen.add(streams.state());
            assertThat(new HashSet<>(seen)).as("states of Kafka Streams since it first ran")
                .containsOnly(KafkaStreams.State.RUNNING);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            sampler.interrupt();
            sampler.join();
        }
    }
}
