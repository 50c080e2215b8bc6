package io.snapshotter.tests.topology;

import io.snapshotter.deadletter.DeadLetterReason;
import io.snapshotter.deadletter.DeadLetters;
import static io.snapshotter.deadletter.DeadLetterReason.AGGREGATE_ID_MISMATCH;
import static io.snapshotter.deadletter.DeadLetterReason.AGGREGATE_TYPE_MISMATCH;
import static io.snapshotter.deadletter.DeadLetterReason.CONFLICTING_DUPLICATE;
import static io.snapshotter.deadletter.DeadLetterReason.INVALID_AGGREGATE_ID;
import static io.snapshotter.deadletter.DeadLetterReason.FOLD_FAILED;
import static io.snapshotter.deadletter.DeadLetterReason.INVALID_SEQUENCE;
import static io.snapshotter.deadletter.DeadLetterReason.MISSING_AGGREGATE_ID;
import static io.snapshotter.deadletter.DeadLetterReason.SEQUENCE_GAP;
import static io.snapshotter.deadletter.DeadLetterReason.UNDECODABLE;
import static io.snapshotter.deadletter.DeadLetterReason.UNKNOWN_AGGREGATE_TYPE;
import static io.snapshotter.deadletter.DeadLetterReason.UNKNOWN_EVENT_TYPE;
import static io.snapshotter.tests.topology.TopologyFixture.ITEM;
import static io.snapshotter.tests.topology.TopologyFixture.START;
import static io.snapshotter.tests.topology.TopologyFixture.T0;
import static io.snapshotter.tests.topology.TopologyFixture.WAREHOUSE;
import static io.snapshotter.tests.topology.TopologyFixture.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.domain.inventory.events.ItemRegistered;
import io.snapshotter.domain.inventory.events.StockReceived;
import io.snapshotter.domain.inventory.events.StockShipped;
import io.snapshotter.domain.inventory.events.WarehouseOpened;
import io.snapshotter.schema.EventEnvelope;
import io.snapshotter.schema.store.AggregateRecord;
import io.snapshotter.topology.FoldMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input, sent after the same good history: item-1 (an InventoryItem with 5 units
 * on hand, version 2) and wh-1 (a Warehouse, version 1).
 */
class DeadLetterTest {

    private static final byte[] ITEM_KEY = "item-1".getBytes(StandardCharsets.UTF_8);
    private static final Header TRACE = new RecordHeader("trace-id", "trace-42".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final TopologyFixture.Factory fixtures = new TopologyFixture.Factory();

    /**
     * A bad input record: its key and value, made with the fixture's codec; {@code parks} when it is
     * item-1's next event (sequence 3) and so parks item-1.
     */
    record BadInput(String description, DeadLetterReason reason, Function<TopologyFixture, byte[]> key,
                    Function<TopologyFixture, byte[]> value, boolean parks) {

        BadInput(String description, DeadLetterReason reason, Function<TopologyFixture, byte[]> key,
                 Function<TopologyFixture, byte[]> value) {
            this(description, reason, key, value, false);
        }

        @Override
        public String toString() {
            return reason + ": " + description;
        }
    }

    static Stream<BadInput> badInputs() {
        return Stream.of(
            new BadInput("random bytes", UNDECODABLE, f -> ITEM_KEY, f -> randomBytes()),
            new BadInput("no value", UNDECODABLE, f -> ITEM_KEY, f -> null),
            new BadInput("wrong magic byte", UNDECODABLE, f -> ITEM_KEY,
                f -> patched(nextItemEvent(f), bytes -> bytes[0] = 1)),
            new BadInput("unknown schema id", UNDECODABLE, f -> ITEM_KEY,
                f -> patched(nextItemEvent(f), bytes -> ByteBuffer.wrap(bytes).putInt(1, 4242))),
            new BadInput("valid header, truncated body", UNDECODABLE, f -> ITEM_KEY,
                f -> truncated(nextItemEvent(f), 3)),
            new BadInput("payload not in the wire format", UNDECODABLE, f -> ITEM_KEY,
                f -> nextItemEventWithPayload(f, "not avro".getBytes(StandardCharsets.UTF_8)), true),
            new BadInput("payload body truncated", UNDECODABLE, f -> ITEM_KEY,
                f -> nextItemEventWithPayload(f, truncated(f.encodePayload(new StockReceived(1, "PO-1")), 2)), true),
            new BadInput("payload string claiming 2 GB in 10 bytes", UNDECODABLE, f -> ITEM_KEY,
                f -> nextItemEventWithPayload(f, hugeLengthPrefix(f.encodePayload(new StockReceived(1, "PO-1")))), true),
            new BadInput("null key", MISSING_AGGREGATE_ID, f -> null, DeadLetterTest::nextItemEvent),
            new BadInput("empty key", MISSING_AGGREGATE_ID, f -> new byte[0], DeadLetterTest::nextItemEvent),
            new BadInput("key of 1,025 UTF-8 bytes", INVALID_AGGREGATE_ID, f -> "é".repeat(512).concat("x")
                .getBytes(StandardCharsets.UTF_8), DeadLetterTest::nextItemEvent),
            new BadInput("key with a newline", INVALID_AGGREGATE_ID, f -> "item-1\n".getBytes(StandardCharsets.UTF_8),
                DeadLetterTest::nextItemEvent),
            new BadInput("key that is not UTF-8", INVALID_AGGREGATE_ID, f -> new byte[] {'i', (byte) 0xC3, '('},
                DeadLetterTest::nextItemEvent),
            new BadInput("sequence 2 again with another eventId", CONFLICTING_DUPLICATE, f -> ITEM_KEY,
                f -> f.encode(EventEnvelope.newBuilder(itemEnvelope(f, 2, new StockReceived(5, "PO-1")))
                    .setEventId("another-event").build())),
            new BadInput("empty envelope aggregateId", MISSING_AGGREGATE_ID, f -> ITEM_KEY,
                f -> f.encode(EventEnvelope.newBuilder(itemEnvelope(f, 3, new StockReceived(1, "PO-1")))
                    .setAggregateId("").build())),
            new BadInput("key item-1, envelope item-2", AGGREGATE_ID_MISMATCH, f -> ITEM_KEY,
                f -> f.encode(f.envelope(ITEM, "item-2", 1, T0, new ItemRegistered("SKU-2", "Gadget", "wh-1")))),
            new BadInput("sequence 0", INVALID_SEQUENCE, f -> ITEM_KEY,
                f -> f.encode(itemEnvelope(f, 0, new StockReceived(1, "PO-1")))),
            new BadInput("sequence -1", INVALID_SEQUENCE, f -> ITEM_KEY,
                f -> f.encode(itemEnvelope(f, -1, new StockReceived(1, "PO-1")))),
            new BadInput("aggregate type Spaceship", UNKNOWN_AGGREGATE_TYPE, f -> ITEM_KEY,
                f -> f.encode(f.envelope("Spaceship", "item-1", 3, T0, new StockReceived(1, "PO-1")))),
            new BadInput("InventoryItem event for Warehouse wh-1", AGGREGATE_TYPE_MISMATCH,
                f -> "wh-1".getBytes(StandardCharsets.UTF_8),
                f -> f.encode(f.envelope(ITEM, "wh-1", 2, T0, new StockReceived(1, "PO-1")))),
            new BadInput("Warehouse event sent as an InventoryItem event", UNKNOWN_EVENT_TYPE, f -> ITEM_KEY,
                f -> f.encode(itemEnvelope(f, 3, new WarehouseOpened("Main", "Berlin", 10))), true),
            new BadInput("sequence 5 after version 2", SEQUENCE_GAP, f -> ITEM_KEY,
                f -> f.encode(itemEnvelope(f, 5, new StockReceived(1, "PO-1")))),
            new BadInput("shipping 6 of 5 on hand", FOLD_FAILED, f -> ITEM_KEY,
                f -> f.encode(itemEnvelope(f, 3, new StockShipped(6, "order-1"))), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void shouldDeadLetterTheOriginalRecordWithReasonAndSourceHeaders(BadInput input) {
        TopologyFixture fixture = startWithHistory();
        byte[] key = input.key().apply(fixture);
        byte[] value = input.value().apply(fixture);

        long offset = fixture.sendRaw(key, value, new RecordHeaders(new Header[] {TRACE}));

        List<TestRecord<byte[], byte[]>> deadLetters = fixture.readDeadLetters();
        assertThat(deadLetters).hasSize(1);
        TestRecord<byte[], byte[]> deadLetter = deadLetters.get(0);
        assertThat(deadLetter.key()).isEqualTo(key);
        assertThat(deadLetter.value()).isEqualTo(value);
        assertThat(deadLetter.headers().toArray()[0]).isEqualTo(TRACE);
        assertThat(header(deadLetter, DeadLetters.REASON)).isEqualTo(input.reason().name());
        assertThat(header(deadLetter, DeadLetters.ERROR)).isNotBlank();
        assertThat(header(deadLetter, DeadLetters.SOURCE_TOPIC)).isEqualTo(fixture.config.eventsTopic());
        assertThat(header(deadLetter, DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(deadLetter, DeadLetters.SOURCE_OFFSET)).isEqualTo(Long.toString(offset));
        assertThat(header(deadLetter, DeadLetters.REJECTED_AT)).isEqualTo(START.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void shouldLeaveAggregatesUnchangedAndFoldLaterGoodEvents(BadInput input) {
        TopologyFixture fixture = startWithHistory();
        AggregateRecord item = fixture.aggregate("item-1");
        AggregateRecord warehouse = fixture.aggregate("wh-1");

        fixture.sendRaw(input.key().apply(fixture), input.value().apply(fixture));

        AggregateRecord itemAfter = fixture.aggregate("item-1");
        if (input.parks()) {
            assertThat(itemAfter.getParked()).isNotNull();
            assertThat(itemAfter.getParked().getSequence()).isEqualTo(3);
            assertThat(itemAfter.getParked().getReason()).isEqualTo(input.reason().name());
            itemAfter.setParked(null);
        }
        assertThat(itemAfter).isEqualTo(item);
        assertThat(fixture.aggregate("wh-1")).isEqualTo(warehouse);
        assertThat(fixture.aggregate("item-2")).isNull();
        fixture.sendNext(ITEM, "item-1", T0);
        fixture.sendNext(WAREHOUSE, "wh-1", T0);
        assertThat(fixture.aggregate("item-1").getVersion()).isEqualTo(item.getVersion() + 1);
        assertThat(fixture.aggregate("wh-1").getVersion()).isEqualTo(warehouse.getVersion() + 1);
        assertThat(fixture.count(FoldMetrics.EVENTS_FOLDED)).isEqualTo(5.0);
    }

    @Test
    void shouldCountDeadLettersPerReason() {
        TopologyFixture fixture = startWithHistory();
        // the ones that park item-1 last: once it is parked, its later sequences are held back instead
        List<BadInput> inputs = badInputs().sorted(java.util.Comparator.comparing(BadInput::parks)).toList();

        inputs.forEach(input -> fixture.sendRaw(input.key().apply(fixture), input.value().apply(fixture)));

        Map<DeadLetterReason, Long> expected = new EnumMap<>(inputs.stream()
            .collect(Collectors.groupingBy(BadInput::reason, Collectors.counting())));
        Map<DeadLetterReason, Long> counted = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            counted.put(reason, (long) fixture.deadLetterMetric(reason));
        }
        expected.keySet().forEach(reason -> assertThat(counted).containsEntry(reason, expected.get(reason)));
        assertThat(counted.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(inputs.size());
        assertThat(fixture.readDeadLetters()).extracting(r -> header(r, DeadLetters.REASON))
            .containsExactlyElementsOf(inputs.stream().map(i -> i.reason().name()).toList());
    }

    /** item-1: registered and 5 units received (version 2); wh-1: opened (version 1). */
    private TopologyFixture startWithHistory() {
        TopologyFixture fixture = fixtures.start(Map.of());
        fixture.send(ITEM, "item-1", 1, T0, new ItemRegistered("SKU-1", "Widget", "wh-1"));
        fixture.send(ITEM, "item-1", 2, T0, new StockReceived(5, "PO-1"));
        fixture.send(WAREHOUSE, "wh-1", 1, T0, new WarehouseOpened("Main", "Berlin", 100));
        return fixture;
    }

    private static EventEnvelope itemEnvelope(TopologyFixture fixture, long sequence, SpecificRecord payload) {
        return fixture.envelope(ITEM, "item-1", sequence, T0, payload);
    }

    /** The encoded envelope of item-1's valid next event. */
    private static byte[] nextItemEvent(TopologyFixture fixture) {
        return fixture.encode(itemEnvelope(fixture, 3, new StockReceived(1, "PO-1")));
    }

    private static byte[] nextItemEventWithPayload(TopologyFixture fixture, byte[] payload) {
        return fixture.encode(EventEnvelope.newBuilder(itemEnvelope(fixture, 3, new StockReceived(1, "PO-1")))
            .setPayload(ByteBuffer.wrap(payload))
            .build());
    }

    /**
     * A StockReceived payload's header, quantity 1, then a reference string claiming 2^30 bytes, of
     * which five follow.
     */
    private static byte[] hugeLengthPrefix(byte[] payload) {
        byte[] bytes = Arrays.copyOf(payload, 16);
        byte[] body = {0x02, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'a', 'b', 'c', 'd', 'e'};
        System.arraycopy(body, 0, bytes, 5, body.length);
        return bytes;
    }

    private static byte[] truncated(byte[] bytes, int by) {
        return Arrays.copyOf(bytes, bytes.length - by);
    }

    private static byte[] patched(byte[] bytes, Consumer<byte[]> patch) {
        patch.accept(bytes);
        return bytes;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[64];
        new Random(7).nextBytes(bytes);
        bytes[0] = 42; // not the wire format's magic byte 0, whatever the seed gives
        return bytes;
    }
}
