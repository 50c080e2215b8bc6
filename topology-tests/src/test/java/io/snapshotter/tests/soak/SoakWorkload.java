package io.snapshotter.tests.soak;

import static io.snapshotter.deadletter.DeadLetterReason.AGGREGATE_ID_MISMATCH;
import static io.snapshotter.deadletter.DeadLetterReason.INVALID_SEQUENCE;
import static io.snapshotter.deadletter.DeadLetterReason.MISSING_AGGREGATE_ID;
import static io.snapshotter.deadletter.DeadLetterReason.UNDECODABLE;
import static io.snapshotter.deadletter.DeadLetterReason.UNKNOWN_AGGREGATE_TYPE;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.domain.inventory.InventoryItemFold;
import io.snapshotter.domain.inventory.SampleInventoryStream;
import io.snapshotter.domain.inventory.SampleInventoryStream.SampleEvent;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.serde.EventEncoder;
import io.snapshotter.tests.testing.ReferenceFold;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the soak produces and what it expects: a seeded stream of sample inventory events over
 * thousands of aggregates with bad records mixed in (kinds that reject a record without touching
 * a good aggregate, so the reference fold of the good events stays the expected state), all
 * encoded up front (the registry is not needed while the faults run), then produced paced over the
 * soak from a thread of its own. Where each bad record landed ({@code partition@offset}) is kept
 * for the dead-letter check.
 */
final class SoakWorkload {

    /** One record to produce; {@code expected} is null for a good event. */
    record Input(byte[] key, byte[] value, DeadLetterReason expected, String kind) {
    }

    private static final Instant START = Instant.parse("2027-03-01T00:00:00Z");
    private static final byte[] UNKNOWN_SCHEMA_ID = ByteBuffer.allocate(9).put((byte) 0).putInt(0x7ffffff0).putInt(42).array();

    private final List<Input> inputs = new ArrayList<>();
    private final ReferenceFold reference = new ReferenceFold();
    /** Reference state of each count snapshot, by {@code aggregateId@version}. */
    private final Map<String, SpecificRecord> snapshotStates = new TreeMap<>();
    private final Map<String, Input> badLandedAt = new ConcurrentHashMap<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger sendFailures = new AtomicInteger();
    private int badRecords;

    /**
     * @param badEvery one bad record after every {@code badEvery} good events
     */
    SoakWorkload(EventEncoder encoder, long seed, int aggregates, int events, int badEvery, int snapshotEvery) {
        int warehouses = Math.max(1, aggregates / 20);
        SampleInventoryStream stream = new SampleInventoryStream(seed, aggregates - warehouses, warehouses, START, 1000);
        Random random = new Random(seed);
        List<IntFunction<Input>> badKinds = List.of(
            n -> bad("random bytes", "bad-" + n, randomBytes(random, 48), UNDECODABLE),
            n -> bad("wrong magic byte", "ghost-" + n, withFirstByte(ghost(encoder, "ghost-" + n, 1), (byte) 1), UNDECODABLE),
            n -> bad("unknown schema id", "ghost-" + n, UNKNOWN_SCHEMA_ID, UNDECODABLE),
            n -> new Input(null, ghost(encoder, "ghost-" + n, 1), MISSING_AGGREGATE_ID, "null key"),
            n -> bad("unknown aggregate type", "spaceship-" + n, encoder.encode("bad-" + n, "spaceship-" + n, "Spaceship", 1,
                START, new StockReceived(1, "PO-S")), UNKNOWN_AGGREGATE_TYPE),
            n -> bad("sequence 0", "ghost-" + n, ghost(encoder, "ghost-" + n, 0), INVALID_SEQUENCE),
            n -> bad("key and envelope aggregateId differ", "ghost-" + n, ghost(encoder, "ghost-other-" + n, 1),
                AGGREGATE_ID_MISMATCH));
        for (int i = 0; i < events; i++) {
            SampleEvent event = stream.next();
            SpecificRecord state = reference.apply(event);
            if (event.sequence() % snapshotEvery == 0) {
                snapshotStates.put(event.aggregateId() + "@" + event.sequence(), state);
            }
            inputs.add(new Input(utf8(event.aggregateId()), encoder.encode(event.eventId(), event.aggregateId(),
                event.aggregateType(), event.sequence(), event.timestamp(), event.payload()), null, "good"));
            if ((i + 1) % badEvery == 0) {
                inputs.add(badKinds.get(badRecords % badKinds.size()).apply(badRecords));
                badRecords++;
            }
        }
    }

    private static Input bad(String kind, String key, byte[] value, DeadLetterReason expected) {
        return new Input(utf8(key), value, expected, kind);
    }

    /** A well-formed InventoryItem envelope of an aggregate no good event has. */
    private static byte[] ghost(EventEncoder encoder, String aggregateId, long sequence) {
        return encoder.encode("bad-" + aggregateId + "#" + sequence, aggregateId, InventoryItemFold.AGGREGATE_TYPE,
            sequence, START, new StockReceived(1, "PO-X"));
    }

    /**
     * Produces every input to {@code topic}, evenly over {@code over}, from the calling thread: a
     * producer that rides out broker restarts (idempotent, the default; a delivery timeout longer
     * than any outage the soak plays).
     */
    void produce(String bootstrapServers, String topic, Duration over) throws InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            long perInputNanos = over.toNanos() / Math.max(1, inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                Input input = inputs.get(i);
                producer.send(new ProducerRecord<>(topic, input.key(), input.value()), (metadata, error) -> {
                    if (error != null) {
                        sendFailures.incrementAndGet();
                        System.err.println("soak: " + input.kind() + " not produced: " + error);
                    } else if (input.expected() != null) {
                        badLandedAt.put(metadata.partition() + "@" + metadata.offset(), input);
                    }
                });
                sent.incrementAndGet();
                long due = start + perInputNanos * (i + 1);
                long ahead = due - System.nanoTime();
                if (ahead > 20_000_000L) {
                    Thread.sleep(ahead / 1_000_000L);
                }
            }
            producer.flush();
        }
    }

    int inputCount() {
        return inputs.size();
    }

    int goodEvents() {
        return inputs.size() - badRecords;
    }

    int badRecords() {
        return badRecords;
    }

    int sent() {
        return sent.get();
    }

    int sendFailures() {
        return sendFailures.get();
    }

    Map<String, SpecificRecord> finalStates() {
        return reference.states();
    }

    Map<String, Long> versions() {
        return reference.versions();
    }

    Map<String, SpecificRecord> snapshotStates() {
        return snapshotStates;
    }

    /** The bad records by where they landed, {@code partition@offset}; complete once {@link #produce} returned. */
    Map<String, Input> badLandedAt() {
        return badLandedAt;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        bytes[0] = (byte) 0x7f;
        return bytes;
    }

    private static byte[] withFirstByte(byte[] bytes, byte first) {
        byte[] copy = bytes.clone();
        copy[0] = first;
        return copy;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
