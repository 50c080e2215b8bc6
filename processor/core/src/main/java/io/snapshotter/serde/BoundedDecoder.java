package io.snapshotter.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder that refuses lengths and counts larger than the record it reads. Avro takes a
 * string's, a byte array's or a block's length from the data and allocates it before it looks for
 * the bytes (up to its limit of about 2 GB), so ten bytes of bad input can ask for gigabytes: here
 * a length is checked against the bytes the record has before anything is allocated.
 *
 * <p>A collection's block count is held to the same bound: every element of a real schema takes at
 * least one byte, except for element types with nothing in them (null, empty records), whose arrays
 * are then limited to the record's length in elements.
 */
final class BoundedDecoder extends Decoder {

    private final BinaryDecoder in;
    private final long limit;

    BoundedDecoder(BinaryDecoder in, long recordBytes) {
        this.in = in;
        this.limit = recordBytes;
    }

    private int length(String what) throws IOException {
        long length = in.readLong();
        if (length < 0) {
            throw new MalformedInputException(what + " length " + length + " is negative");
        }
        if (length > limit) {
            throw new MalformedInputException(what + " claims " + length + " bytes but the record has only " + limit);
        }
        return (int) length;
    }

    private long count(long count, String what) throws IOException {
        if (count > limit) {
            throw new MalformedInputException(what + " block claims " + count + " items but the record has only "
                + limit + " bytes");
        }
        return count;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        if (length > 0) {
            in.readFixed(result.getBytes(), 0, length);
        }
        return result;
    }

    @Override
    public String readString() throws IOException {
        return readString(null).toString();
    }

    @Override
    public void skipString() throws IOException {
        in.skipFixed(length("string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length("bytes");
        ByteBuffer result;
        if (old != null && old.capacity() >= length && old.hasArray()) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        in.readFixed(result.array(), result.arrayOffset() + result.position(), length);
        result.limit(length);
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipFixed(length("bytes"));
    }

    @Override
    public long readArrayStart() throws IOException {
        return count(in.readArrayStart(), "array");
    }

    @Override
    public long arrayNext() throws IOException {
        return count(in.arrayNext(), "array");
    }

    @Override
    public long skipArray() throws IOException {
        return count(in.skipArray(), "array");
    }

    @Override
    public long readMapStart() throws IOException {
        return count(in.readMapStart(), "map");
    }

    @Override
    public long mapNext() throws IOException {
        return count(in.mapNext(), "map");
    }

    @Override
    public long skipMap() throws IOException {
        return count(in.skipMap(), "map");
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }

    boolean isEnd() throws IOException {
        return in.isEnd();
    }

    /** Input whose lengths cannot be true. */
    static final class MalformedInputException extends EOFException {
        MalformedInputException(String message) {
            super(message);
        }
    }
}
