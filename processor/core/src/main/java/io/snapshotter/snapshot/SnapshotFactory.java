package io.snapshotter.snapshot;

import io.snapshotter.schema.Snapshot;
import io.snapshotter.schema.SnapshotMetadata;
import io.snapshotter.schema.SnapshotReason;
import io.snapshotter.schema.StateCompression;
import io.snapshotter.schema.store.AggregateRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Turns an aggregate's current record into a {@link Snapshot}: the state bytes compressed when
 * large, and a checksum over the bytes as stored; and reads a snapshot's state back, verified. Deterministic: the same record gives the same
 * snapshot bytes (Java's gzip header carries no time), which replay relies on.
 */
public final class SnapshotFactory {

    /** Encoding of the state field: the state record in the Confluent wire format. */
    public static final int STATE_FORMAT_VERSION = 1;

    /** The largest state {@link #verifiedState(Snapshot)} decompresses: the most {@code snapshot.max.bytes} allows. */
    public static final int MAX_STATE_BYTES = 64 * 1024 * 1024;

    private final String createdBy;
    private final boolean compress;
    private final int compressionMinBytes;

    public SnapshotFactory(String createdBy, boolean compress, int compressionMinBytes) {
        this.createdBy = createdBy;
        this.compress = compress;
        this.compressionMinBytes = compressionMinBytes;
    }

    public Snapshot snapshotOf(String aggregateId, String partitionKey, AggregateRecord current,
                               long snapshotTime, SnapshotReason reason) {
        byte[] state = current.getState().array();
        StateCompression compression = compress && state.length >= compressionMinBytes
            ? StateCompression.GZIP : StateCompression.NONE;
        byte[] stored = compression == StateCompression.GZIP ? gzip(state) : state;
        return Snapshot.newBuilder()
            .setAggregateId(aggregateId)
            .setAggregateType(current.getAggregateType())
            .setPartitionKey(partitionKey)
            .setVersion(current.getVersion())
            .setLastEventSequence(current.getVersion())
            .setLastEventId(current.getLastEventId())
            .setLastEventTimestamp(Instant.ofEpochMilli(current.getLastEventTimestamp()))
            .setSnapshotTimestamp(Instant.ofEpochMilli(snapshotTime))
            .setState(ByteBuffer.wrap(stored))
            .setStateFormatVersion(STATE_FORMAT_VERSION)
            .setFoldVersion(current.getFoldVersion())
            .setCompression(compression)
            .setChecksum(checksum(stored))
            .setMetadata(new SnapshotMetadata(reason, createdBy))
            .build();
    }

    /**
     * The state of {@code snapshot} as written: the checksum verified over the stored bytes, then
     * decompressed. The result is the state record in the Confluent wire format.
     *
     * @throws CorruptSnapshotException if the checksum does not match or the bytes do not decompress
     */
    public static byte[] verifiedState(Snapshot snapshot) {
        return verifiedState(snapshot, MAX_STATE_BYTES);
    }

    /**
     * As {@link #verifiedState(Snapshot)}, decompressing at most {@code maxStateBytes}: a state that
     * inflates beyond it (a gzip bomb, or bytes no fold of ours wrote) is corrupt, and is never held
     * in memory whole.
     */
    public static byte[] verifiedState(Snapshot snapshot, int maxStateBytes) {
        ByteBuffer buffer = snapshot.getState().duplicate();
        byte[] stored = new byte[buffer.remaining()];
        buffer.get(stored);
        String actual = checksum(stored);
        if (!actual.equals(snapshot.getChecksum())) {
            throw new CorruptSnapshotException(snapshot.getAggregateId(), snapshot.getVersion(),
                "checksum " + actual + " does not match the recorded " + snapshot.getChecksum());
        }
        if (snapshot.getCompression() == StateCompression.NONE) {
            return stored;
        }
        byte[] state;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            state = in.readNBytes(maxStateBytes);
            if (in.read() != -1) {
                throw new CorruptSnapshotException(snapshot.getAggregateId(), snapshot.getVersion(),
                    "state decompresses to more than " + maxStateBytes + " bytes");
            }
        } catch (IOException e) {
            throw new CorruptSnapshotException(snapshot.getAggregateId(), snapshot.getVersion(),
                "state does not decompress with " + snapshot.getCompression() + ": " + e.getMessage());
        }
        return state;
    }

    /** {@code crc32c:<8 hex digits>} of {@code bytes}. */
    public static String checksum(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        String hex = Long.toHexString(crc.getValue());
        return "crc32c:" + "0".repeat(8 - hex.length()) + hex;  // %08x, without a Formatter per snapshot
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 32);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
