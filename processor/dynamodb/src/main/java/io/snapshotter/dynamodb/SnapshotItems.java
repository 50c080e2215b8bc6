package io.snapshotter.dynamodb;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotMetadata;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.StateCompression;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A snapshot as DynamoDB items, the table layout of the design: key (aggregateId, version), then
 * aggregateType, state (binary, compressed as {@code compression} says), lastEventSequence,
 * lastEventId, timestamp (snapshot time, epoch millis), metadata (map), checksum, and what else a
 * snapshot carries, so the items read back as the same {@link Snapshot}.
 *
 * <p>A state of more than {@value #CHUNK_BYTES} bytes (stored, i.e. compressed) does not fit one
 * item: its <em>head</em> item at (aggregateId, version) holds everything but the state, plus
 * {@code chunks}, their count; chunk {@code i} is an item at sort key {@code -(version + (i+1)/10^6)}
 * (version 12's first chunk is at {@code -12.000001}) holding the state's {@code i}-th slice and the
 * snapshot's checksum. Heads are at sort keys {@code >= 0} and chunks below, so a range query over
 * versions never meets a chunk, and one version's chunks are one range. The split is a function
 * of the snapshot: writing it twice writes the same items.
 */
public final class SnapshotItems {

    public static final String AGGREGATE_ID = "aggregateId";
    public static final String VERSION = "version";
    public static final String AGGREGATE_TYPE = "aggregateType";
    public static final String PARTITION_KEY = "partitionKey";
    public static final String STATE = "state";
    public static final String LAST_EVENT_SEQUENCE = "lastEventSequence";
    public static final String LAST_EVENT_ID = "lastEventId";
    public static final String LAST_EVENT_TIMESTAMP = "lastEventTimestamp";
    public static final String TIMESTAMP = "timestamp";
    public static final String METADATA = "metadata";
    public static final String REASON = "reason";
    public static final String CREATED_BY = "createdBy";
    public static final String CHECKSUM = "checksum";
    public static final String COMPRESSION = "compression";
    public static final String STATE_FORMAT_VERSION = "stateFormatVersion";
    public static final String FOLD_VERSION = "foldVersion";
    /** On a head item: how many chunk items hold its state. */
    public static final String CHUNKS = "chunks";
    /** On a chunk item: its index, from 0. */
    public static final String CHUNK = "chunk";

    /** DynamoDB's item size limit. */
    static final int MAX_ITEM_BYTES = 400 * 1024;
    /** State bytes per item: DynamoDB's limit less room for the key and the other attributes. */
    static final int CHUNK_BYTES = 350 * 1024;
    /** Chunk sort keys have six decimal places. */
    private static final int MAX_CHUNKS = 999_999;

    private SnapshotItems() {
    }

    /**
     * The items of {@code snapshot}: one, or its chunks followed by its head (written in that order,
     * a head is never visible before its chunks unless a write fails midway).
     */
    static List<Map<String, AttributeValue>> toItems(Snapshot snapshot) {
        ByteBuffer state = snapshot.getState().duplicate();
        if (state.remaining() <= CHUNK_BYTES) {
            return List.of(toItem(snapshot));
        }
        int chunks = (state.remaining() + CHUNK_BYTES - 1) / CHUNK_BYTES;
        if (chunks > MAX_CHUNKS) {
            throw new IllegalArgumentException("a state of " + state.remaining() + " bytes needs more than "
                + MAX_CHUNKS + " chunks");
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>(chunks + 1);
        for (int i = 0; i < chunks; i++) {
            ByteBuffer slice = state.slice(state.position() + i * CHUNK_BYTES,
                Math.min(CHUNK_BYTES, state.remaining() - i * CHUNK_BYTES));
            items.add(Map.of(
                AGGREGATE_ID, s(snapshot.getAggregateId()),
                VERSION, AttributeValue.fromN(chunkSortKey(snapshot.getVersion(), i).toPlainString()),
                CHUNK, n(i),
                CHECKSUM, s(snapshot.getChecksum()),
                STATE, AttributeValue.fromB(SdkBytes.fromByteBuffer(slice))));
        }
        Map<String, AttributeValue> head = toItem(snapshot);
        head.remove(STATE);
        head.put(CHUNKS, n(chunks));
        items.add(head);
        return items;
    }

    /** The sort key of chunk {@code index} of {@code version}. */
    static BigDecimal chunkSortKey(long version, int index) {
        return BigDecimal.valueOf(version).add(BigDecimal.valueOf(index + 1L, 6)).negate();
    }

    /** The lowest and highest sort key of the chunks of {@code version}, for a BETWEEN key condition. */
    static List<AttributeValue> chunkRange(long version) {
        return List.of(AttributeValue.fromN(chunkSortKey(version, MAX_CHUNKS - 1).toPlainString()),
            AttributeValue.fromN(chunkSortKey(version, 0).toPlainString()));
    }

    /** How many chunks hold the state of the snapshot {@code head} is the item of; 0 if the head holds it. */
    static int chunkCount(Map<String, AttributeValue> head) {
        AttributeValue chunks = head.get(CHUNKS);
        return chunks == null ? 0 : Integer.parseInt(chunks.n());
    }

    /**
     * The snapshot {@code head} and its {@code chunks} (in any order) make, or empty while they are
     * incomplete: a chunk missing, or one of another write (another checksum) of the same version.
     *
     * @throws IllegalArgumentException as {@link #fromItem}
     */
    static Optional<Snapshot> fromItems(Map<String, AttributeValue> head, List<Map<String, AttributeValue>> chunks) {
        int count = chunkCount(head);
        if (count == 0) {
            return Optional.of(fromItem(head));
        }
        AttributeValue checksum = head.get(CHECKSUM);
        SdkBytes[] parts = new SdkBytes[count];
        for (Map<String, AttributeValue> chunk : chunks) {
            if (chunk.get(CHUNK) == null || chunk.get(STATE) == null || chunk.get(STATE).b() == null) {
                throw new IllegalArgumentException("Malformed chunk item " + chunk.get(AGGREGATE_ID) + "@"
                    + chunk.get(VERSION));
            }
            int index = Integer.parseInt(chunk.get(CHUNK).n());
            if (index < count && checksum != null && checksum.equals(chunk.get(CHECKSUM))) {
                parts[index] = chunk.get(STATE).b();
            }
        }
        int size = 0;
        for (SdkBytes part : parts) {
            if (part == null) {
                return Optional.empty();
            }
            size += part.asByteArrayUnsafe().length;
        }
        ByteBuffer state = ByteBuffer.allocate(size);
        for (SdkBytes part : parts) {
            state.put(part.asByteBuffer());
        }
        Map<String, AttributeValue> whole = new HashMap<>(head);
        whole.put(STATE, AttributeValue.fromB(SdkBytes.fromByteBuffer(state.flip())));
        return Optional.of(fromItem(whole));
    }

    static Map<String, AttributeValue> toItem(Snapshot snapshot) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AGGREGATE_ID, s(snapshot.getAggregateId()));
        item.put(VERSION, n(snapshot.getVersion()));
        item.put(AGGREGATE_TYPE, s(snapshot.getAggregateType()));
        item.put(PARTITION_KEY, s(snapshot.getPartitionKey()));
        item.put(STATE, AttributeValue.fromB(SdkBytes.fromByteBuffer(snapshot.getState().duplicate())));
        item.put(LAST_EVENT_SEQUENCE, n(snapshot.getLastEventSequence()));
        item.put(LAST_EVENT_ID, s(snapshot.getLastEventId()));
        item.put(LAST_EVENT_TIMESTAMP, n(snapshot.getLastEventTimestamp().toEpochMilli()));
        item.put(TIMESTAMP, n(snapshot.getSnapshotTimestamp().toEpochMilli()));
        item.put(METADATA, AttributeValue.fromM(Map.of(
            REASON, s(snapshot.getMetadata().getReason().name()),
            CREATED_BY, s(snapshot.getMetadata().getCreatedBy()))));
        item.put(CHECKSUM, s(snapshot.getChecksum()));
        item.put(COMPRESSION, s(snapshot.getCompression().name()));
        item.put(STATE_FORMAT_VERSION, n(snapshot.getStateFormatVersion()));
        item.put(FOLD_VERSION, n(snapshot.getFoldVersion()));
        return item;
    }

    /**
     * The snapshot an item holds, its state bytes as stored (not yet verified).
     *
     * @throws IllegalArgumentException if the item lacks an attribute or has one of the wrong type
     */
    static Snapshot fromItem(Map<String, AttributeValue> item) {
        try {
            Map<String, AttributeValue> metadata = item.get(METADATA).m();
            return Snapshot.newBuilder()
                .setAggregateId(item.get(AGGREGATE_ID).s())
                .setVersion(Long.parseLong(item.get(VERSION).n()))
                .setAggregateType(item.get(AGGREGATE_TYPE).s())
                .setPartitionKey(item.get(PARTITION_KEY).s())
                .setState(item.get(STATE).b().asByteBuffer())
                .setLastEventSequence(Long.parseLong(item.get(LAST_EVENT_SEQUENCE).n()))
                .setLastEventId(item.get(LAST_EVENT_ID).s())
                .setLastEventTimestamp(Instant.ofEpochMilli(Long.parseLong(item.get(LAST_EVENT_TIMESTAMP).n())))
                .setSnapshotTimestamp(Instant.ofEpochMilli(Long.parseLong(item.get(TIMESTAMP).n())))
                .setMetadata(new SnapshotMetadata(SnapshotReason.valueOf(metadata.get(REASON).s()),
                    metadata.get(CREATED_BY).s()))
                .setChecksum(item.get(CHECKSUM).s())
                .setCompression(StateCompression.valueOf(item.get(COMPRESSION).s()))
                .setStateFormatVersion(Integer.parseInt(item.get(STATE_FORMAT_VERSION).n()))
                .setFoldVersion(Integer.parseInt(item.get(FOLD_VERSION).n()))
                .build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Malformed snapshot item " + item.get(AGGREGATE_ID) + "@"
                + item.get(VERSION) + ": " + e, e);
        }
    }

    /**
     * The item's size as DynamoDB counts it, closely enough for the 400 KB limit: attribute names
     * plus values (UTF-8 strings, binary length, about one byte per two digits of a number).
     */
    static int sizeOf(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += utf8(e.getKey()) + sizeOf(e.getValue());
        }
        return size;
    }

    private static int sizeOf(AttributeValue value) {
        if (value.s() != null) {
            return utf8(value.s());
        }
        if (value.n() != null) {
            return value.n().length() / 2 + 2;
        }
        if (value.b() != null) {
            return value.b().asByteArrayUnsafe().length;
        }
        if (value.hasM()) {
            return 3 + value.m().entrySet().stream().mapToInt(e -> 1 + utf8(e.getKey()) + sizeOf(e.getValue())).sum();
        }
        return 1;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
