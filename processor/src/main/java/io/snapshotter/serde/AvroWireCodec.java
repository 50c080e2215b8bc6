package io.snapshotter.serde;

import io.snapshotter.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * against the reader's, so records written by an older or newer schema still decode.
 *
 * <p>Thread-safe; ids, readers and writers are cached, since a schema id never changes meaning.
 */
public final class AvroWireCodec {

    static final byte MAGIC_BYTE = 0;
    static final int HEADER_SIZE = 5;

    private record SubjectSchema(String subject, Schema schema) { }

    private record ReaderKey(int writerId, Schema readerSchema) { }

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
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot encode " + schema.getFullName() + " for subject '"
                + subject + "': " + e.getMessage(), e);
        }
        return out.toByteArray();
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
        BinaryDecoder decoder = DecoderFactory.get()
            .binaryDecoder(data, HEADER_SIZE, data.length - HEADER_SIZE, null);
        try {
            Object value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
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
        }
    }

    /** The writer schema that {@code data} names, fetched from the registry once per id. */
    public Schema writerSchemaOf(byte[] data) {
        return writerSchema(schemaId(data));
    }

    private Schema writerSchema(int id) {
        return writerSchemas.computeIfAbsent(id, registry::schemaById);
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
