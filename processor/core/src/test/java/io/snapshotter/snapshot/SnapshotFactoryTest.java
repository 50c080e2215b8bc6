package io.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.StateCompression;
import io.snapshotter.schema.store.AggregateRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class SnapshotFactoryTest {

    private static AggregateRecord record(byte[] state) {
        return new AggregateRecord("InventoryItem", 200L, "event-200", 1_000L, 0L, 100L, 0L, Long.MAX_VALUE, Long.MAX_VALUE, 2,
            ByteBuffer.wrap(state), null, java.util.List.of());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        return Arrays.copyOfRange(buffer.array(), buffer.arrayOffset() + buffer.position(),
            buffer.arrayOffset() + buffer.limit());
    }

    @Test
    void shouldCopyTheBookkeepingIntoTheSnapshot() {
        byte[] state = {0, 0, 0, 0, 1, 42};
        Snapshot snapshot = new SnapshotFactory("app", true, 4096).snapshotOf("item-1", "item-1", record(state), 5_000L,
            SnapshotReason.COUNT);
        assertThat(snapshot.getAggregateId()).isEqualTo("item-1");
        assertThat(snapshot.getPartitionKey()).isEqualTo("item-1");
        assertThat(snapshot.getAggregateType()).isEqualTo("InventoryItem");
        assertThat(snapshot.getVersion()).isEqualTo(200);
        assertThat(snapshot.getLastEventSequence()).isEqualTo(200);
        assertThat(snapshot.getLastEventId()).isEqualTo("event-200");
        assertThat(snapshot.getLastEventTimestamp()).isEqualTo(Instant.ofEpochMilli(1_000));
        assertThat(snapshot.getSnapshotTimestamp()).isEqualTo(Instant.ofEpochMilli(5_000));
        assertThat(snapshot.getFoldVersion()).isEqualTo(2);
        assertThat(snapshot.getStateFormatVersion()).isEqualTo(SnapshotFactory.STATE_FORMAT_VERSION);
        assertThat(snapshot.getMetadata().getReason()).isEqualTo(SnapshotReason.COUNT);
        assertThat(snapshot.getMetadata().getCreatedBy()).isEqualTo("app");
        assertThat(snapshot.getCompression()).isEqualTo(StateCompression.NONE);
        assertThat(bytes(snapshot.getState())).isEqualTo(state);
        assertThat(snapshot.getChecksum()).isEqualTo(SnapshotFactory.checksum(state)).matches("crc32c:[0-9a-f]{8}");
    }

    @Test
    void shouldGzipStatesFromTheThresholdOnAndChecksumTheStoredBytes() throws IOException {
        byte[] state = new byte[5_000];
        Arrays.fill(state, (byte) 7);
        Snapshot snapshot = new SnapshotFactory("app", true, 4096).snapshotOf("a", "a", record(state), 0L,
            SnapshotReason.TIME);
        assertThat(snapshot.getCompression()).isEqualTo(StateCompression.GZIP);
        byte[] stored = bytes(snapshot.getState());
        assertThat(stored.length).isLessThan(state.length);
        assertThat(snapshot.getChecksum()).isEqualTo(SnapshotFactory.checksum(stored));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            assertThat(in.readAllBytes()).isEqualTo(state);
        }
        assertThat(SnapshotFactory.verifiedState(snapshot)).isEqualTo(state);
    }

    @Test
    void shouldReportACorruptStateNeverReturnIt() {
        byte[] state = new byte[5_000];
        Snapshot snapshot = new SnapshotFactory("app", true, 0).snapshotOf("item-9", "item-9", record(state), 0L,
            SnapshotReason.COUNT);
        byte[] stored = bytes(snapshot.getState());
        stored[stored.length / 2] ^= 1;
        Snapshot flipped = Snapshot.newBuilder(snapshot).setState(ByteBuffer.wrap(stored)).build();
        assertThatThrownBy(() -> SnapshotFactory.verifiedState(flipped)).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining("item-9@200").hasMessageContaining("checksum");

        byte[] notGzip = {1, 2, 3};
        Snapshot garbled = Snapshot.newBuilder(snapshot).setState(ByteBuffer.wrap(notGzip))
            .setChecksum(SnapshotFactory.checksum(notGzip)).build();
        assertThatThrownBy(() -> SnapshotFactory.verifiedState(garbled)).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining("decompress");
    }

    @Test
    void shouldNotCompressWhenCompressionIsOff() {
        byte[] state = new byte[5_000];
        Snapshot snapshot = new SnapshotFactory("app", false, 0).snapshotOf("a", "a", record(state), 0L,
            SnapshotReason.TIME);
        assertThat(snapshot.getCompression()).isEqualTo(StateCompression.NONE);
    }

    @Test
    void shouldProduceIdenticalSnapshotsForIdenticalInput() {
        byte[] state = new byte[5_000];
        SnapshotFactory factory = new SnapshotFactory("app", true, 0);
        assertThat(factory.snapshotOf("a", "a", record(state), 9L, SnapshotReason.COUNT))
            .isEqualTo(factory.snapshotOf("a", "a", record(state.clone()), 9L, SnapshotReason.COUNT));
    }
}
