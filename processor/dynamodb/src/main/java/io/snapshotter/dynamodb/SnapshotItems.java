package io.snapshotter.dynamodb;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotMetadata;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.StateCompression;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A snapshot as a DynamoDB item, the table layout of the design: key (aggregateId, version), then
 * aggregateType, state (binary, compressed as {@code compression} says), lastEventSequence,
 * lastEventId, timestamp (snapshot time, epoch millis), metadata (map), checksum, and what else a
 * snapshot carries, so an item reads back as the same {@link Snapshot}.
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

    /** DynamoDB's item size limit. */
    static final int MAX_ITEM_BYTES = 400 * 1024;

    private SnapshotItems() {
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
