package io.snapshotter.serde;

import io.snapshotter.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Avro records (specific, or generic where no class exists) in the Confluent wire format: magic byte 0, the writer schema's 4-byte
 * big-endian registry id, then Avro binary. Reading resolves the writer's schema (fetched by id)
 * against the reader's, so records written by an older or newer schema still decode. Lengths in the
 * data are checked against the record's own length before anything is allocated
 * ({@link BoundedDecoder}): ten bytes claiming a 2 GB string are undecodable, not an allocation.
 *
 * <p>Thread-safe; ids, readers and writers are cached, since a schema id never changes meaning. Each
 * thread reuses its own Avro decoder and encoder and an output buffer (the per-event path of the fold
 * encodes and decodes several records per event), so a call allocates little beyond its result.
 */
public final class AvroWireCodec {

    static final byte MAGIC_BYTE = 0;
    static final int HEADER_SIZE = 5;

    private record SubjectSchema(String subject, Schema schema) { }

    private record ReaderKey(int writerId, Schema readerSchema) { }

    private static final int KEEP_INPUT_BYTES = 64 * 1024;
    /** A thread's reusable decoder; reconfigured for every call. */
    private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();
    /** A thread's reusable encoder and output buffer. */
    private static final ThreadLocal<EncodeBuffer> ENCODE_BUFFERS = ThreadLocal.withInitial(EncodeBuffer::new);

    private final SchemaRegistryClient registry;
    private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> writerSchemas = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<IndexedRecord>> writers = new ConcurrentHashMap<>();
    private final Map<ReaderKey, DatumReader<?>> readers = new ConcurrentHashMap<>();

    public AvroWireCodec(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /**
     * Encodes {@code record} under {@code subject}, registering its schema first when
     * {@code autoRegister} is set, else requiring it to be registered already.
     */
    public byte[] encode(String subject, IndexedRecord record, boolean autoRegister) {
        Schema schema = record.getSchema();
        int id = ids.computeIfAbsent(new SubjectSchema(subject, schema),
            k -> autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema));
        DatumWriter<IndexedRecord> writer = writers.computeIfAbsent(schema, AvroWireCodec::newWriter);
        EncodeBuffer buffer = ENCODE_BUFFERS.get();
        Output out = buffer.start();
        out.write(MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            BinaryEncoder encoder = buffer.encoder(out);
            writer.write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot encode " + schema.getFullName() + " for subject '"
                + subject + "': " + e.getMessage(), e);
        } finally {
            buffer.finish(out);
        }
    }

    /** Decodes {@code data} into an instance of {@code type}, resolving the writer's schema. */
    public <T extends SpecificRecord> T decode(byte[] data, Class<T> type) {
        return type.cast(decode(data, SpecificData.get().getSchema(type)));
    }

    /** Decodes {@code data} with {@code readerSchema}, resolving the writer's schema against it. */
    public Object decode(byte[] data, Schema readerSchema) {
        int writerId = schemaId(data);
        DatumReader<?> reader = readers.computeIfAbsent(new ReaderKey(writerId, readerSchema),
            k -> new SpecificDatumReader<>(writerSchema(writerId), readerSchema));
        // taken from the thread while in use, so a nested decode (none is known) gets its own
        BinaryDecoder reuse = DECODERS.get();
        DECODERS.set(null);
        BinaryDecoder decoder = DecoderFactory.get()
            .binaryDecoder(data, HEADER_SIZE, data.length - HEADER_SIZE, reuse);
        BoundedDecoder bounded = new BoundedDecoder(decoder, data.length - HEADER_SIZE);
        try {
            Object value = reader.read(null, bounded);
            if (!bounded.isEnd()) {
                throw new SerializationException((data.length - HEADER_SIZE) + " bytes of body but the "
                    + "record under schema id " + writerId + " ended before them");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException("Body does not decode under schema id " + writerId + " ("
                + readerSchema.getFullName() + "): " + e, e);
        } finally {
            // kept for the next call unless it would hold on to a large input
            DECODERS.set(data.length <= KEEP_INPUT_BYTES ? decoder : null);
        }
    }

    /** The writer schema that {@code data} names, fetched from the registry once per id. */
    public Schema writerSchemaOf(byte[] data) {
        return writerSchema(schemaId(data));
    }

    private Schema writerSchema(int id) {
        return writerSchemas.computeIfAbsent(id, registry::schemaById);
    }

    /**
     * A writer that uses the encoder Avro generates into a specific class ({@code customEncode}) where
     * the class has one (records without logical types, such as the store's AggregateRecord): the same
     * bytes, written field by field without the generic writer's per-field lookups. Avro leaves that
     * off unless asked, so the writer gets a model of its own that asks for it, with the class's
     * logical-type conversions.
     */
    private static DatumWriter<IndexedRecord> newWriter(Schema schema) {
        SpecificData model = SpecificData.getForSchema(schema);
        SpecificData data = new SpecificData(model.getClassLoader());
        model.getConversions().forEach(data::addLogicalTypeConversion);
        data.setCustomCoders(true);
        return new SpecificDatumWriter<>(schema, data);
    }

    /**
     * An unsynchronized, growable byte sink ({@link java.io.ByteArrayOutputStream} locks on every
     * byte the direct encoder writes).
     */
    private static final class Output extends OutputStream {
        private byte[] bytes = new byte[256];
        private int count;

        @Override
        public void write(int b) {
            if (count == bytes.length) {
                grow(1);
            }
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > bytes.length) {
                grow(len);
            }
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        private void grow(int more) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, count);
        }
    }

    /** One thread's encoder and output; a buffer grown by a large record is let go after it. */
    private static final class EncodeBuffer {
        private static final int KEEP_BYTES = 64 * 1024;

        private Output out = new Output();
        private BinaryEncoder encoder;
        private boolean inUse;

        /** The output, emptied; a fresh one if this thread is already encoding (a writer that encodes). */
        Output start() {
            if (inUse) {
                return new Output();
            }
            inUse = true;
            out.count = 0;
            return out;
        }

        BinaryEncoder encoder(Output target) {
            if (target != out) {
                return EncoderFactory.get().directBinaryEncoder(target, null);
            }
            encoder = EncoderFactory.get().directBinaryEncoder(target, encoder);
            return encoder;
        }

        void finish(Output used) {
            if (used != out) {
                return;
            }
            inUse = false;
            if (out.bytes.length > KEEP_BYTES) {
                out = new Output();
                encoder = null;
            }
        }
    }

    private static int schemaId(byte[] data) {
        if (data == null || data.length < HEADER_SIZE) {
            throw new SerializationException("Not in the Confluent wire format: "
                + (data == null ? "no bytes" : data.length + " bytes, shorter than the 5-byte header"));
        }
        if (data[0] != MAGIC_BYTE) {
            throw new SerializationException("Not in the Confluent wire format: magic byte is "
                + data[0] + ", expected 0");
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }
}
