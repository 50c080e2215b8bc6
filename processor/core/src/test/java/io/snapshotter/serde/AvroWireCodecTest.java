package io.snapshotter.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.SchemaNotFoundException;
import io.snapshotter.schema.SnapshotMetadata;
import io.snapshotter.schema.SnapshotReason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroWireCodecTest {

    private static final Schema V1 = new Schema.Parser().parse("""
        {"type": "record", "name": "Thing", "namespace": "test.evolution",
         "fields": [{"name": "name", "type": "string"}]}""");
    private static final Schema V2 = new Schema.Parser().parse("""
        {"type": "record", "name": "Thing", "namespace": "test.evolution",
         "fields": [{"name": "name", "type": "string"}, {"name": "size", "type": "int", "default": 7}]}""");

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroWireCodec codec = new AvroWireCodec(registry);

    @Test
    void shouldWriteMagicByteThenBigEndianSchemaIdThenAvroBinary() {
        registry.register("other", V1);
        byte[] bytes = codec.encode("meta-value", new SnapshotMetadata(SnapshotReason.TIME, "app"), true);
        int id = registry.idOf("meta-value", SnapshotMetadata.getClassSchema());
        assertThat(id).isEqualTo(2);
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        // enum index 1 (TIME), then the string "app": zig-zag length 3 = 6, then its bytes
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).containsExactly(2, 6, 'a', 'p', 'p');
    }

    @Test
    void shouldRoundTripASpecificRecord() {
        SnapshotMetadata metadata = new SnapshotMetadata(SnapshotReason.MANUAL, "ops");
        assertThat(codec.decode(codec.encode("s", metadata, true), SnapshotMetadata.class)).isEqualTo(metadata);
    }

    @Test
    void shouldRequireARegisteredSchemaWhenAutoRegistrationIsOff() {
        SnapshotMetadata metadata = new SnapshotMetadata(SnapshotReason.MANUAL, "ops");
        assertThatThrownBy(() -> codec.encode("s", metadata, false)).isInstanceOf(SchemaNotFoundException.class)
            .hasMessageContaining("'s'");
        registry.register("s", SnapshotMetadata.getClassSchema());
        assertThat(codec.decode(codec.encode("s", metadata, false), SnapshotMetadata.class)).isEqualTo(metadata);
    }

    @Test
    void shouldReadANewerWritersRecordWithAnOlderReaderAndViceVersa() {
        GenericRecord newer = new GenericData.Record(V2);
        newer.put("name", "bolt");
        newer.put("size", 3);
        GenericRecord readByOld = (GenericRecord) codec.decode(codec.encode("things", newer, true), V1);
        assertThat(readByOld.get("name").toString()).isEqualTo("bolt");
        assertThat(readByOld.getSchema().getField("size")).isNull();

        GenericRecord older = new GenericData.Record(V1);
        older.put("name", "nut");
        GenericRecord readByNew = (GenericRecord) codec.decode(codec.encode("things", older, true), V2);
        assertThat(readByNew.get("name").toString()).isEqualTo("nut");
        assertThat(readByNew.get("size")).isEqualTo(7);
    }

    @Test
    void shouldRejectBytesThatAreNotInTheWireFormat() {
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 0, 0, 0, 1, 2}, SnapshotMetadata.class))
            .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte is 1");
        assertThatThrownBy(() -> codec.decode(new byte[] {0, 0}, SnapshotMetadata.class))
            .isInstanceOf(SerializationException.class).hasMessageContaining("shorter than the 5-byte header");
    }

    @Test
    void shouldRejectAnUnknownSchemaId() {
        assertThatThrownBy(() -> codec.decode(new byte[] {0, 0, 0, 0, 99, 2}, SnapshotMetadata.class))
            .isInstanceOf(SchemaNotFoundException.class).hasMessageContaining("99");
    }

    @Test
    void shouldRejectABodyThatDoesNotDecodeOrHasTrailingBytes() {
        byte[] good = codec.encode("s", new SnapshotMetadata(SnapshotReason.COUNT, "app"), true);
        byte[] truncated = Arrays.copyOf(good, good.length - 2);
        assertThatThrownBy(() -> codec.decode(truncated, SnapshotMetadata.class))
            .isInstanceOf(SerializationException.class).hasMessageContaining("does not decode");
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertThatThrownBy(() -> codec.decode(trailing, SnapshotMetadata.class))
            .isInstanceOf(SerializationException.class).hasMessageContaining("ended before");
    }

    @Test
    void shouldGiveTheSameIdToTheSameSchemaUnderTwoSubjects() {
        assertThat(registry.register("a", V1)).isEqualTo(registry.register("b", V1));
        assertThat(registry.register("a", V2)).isNotEqualTo(registry.register("a", V1));
    }

    private static final Schema BLOBS = new Schema.Parser().parse("""
        {"type": "record", "name": "Blobs", "namespace": "test.limits", "fields": [
          {"name": "text", "type": "string"}, {"name": "data", "type": "bytes"},
          {"name": "items", "type": {"type": "array", "items": "long"}},
          {"name": "tags", "type": {"type": "map", "values": "string"}}]}""");

    /** Ten bytes of body: a zig-zag varint claiming {@code claimed}, then padding. */
    private byte[] claiming(long claimed, int fieldsBefore) {
        int id = registry.register("blobs", BLOBS);
        ByteBuffer out = ByteBuffer.allocate(5 + 10 + fieldsBefore * 2 + 10);
        out.put((byte) 0).putInt(id);
        for (int i = 0; i < fieldsBefore; i++) {
            out.put((byte) 0);  // an empty string / bytes / array: length or count 0
        }
        long zigzag = (claimed << 1) ^ (claimed >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.put((byte) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.put((byte) zigzag);
        while (out.hasRemaining()) {
            out.put((byte) 1);
        }
        return out.array();
    }

    @Test
    void shouldRefuseAStringLengthLargerThanTheRecordBeforeAllocatingIt() {
        byte[] data = claiming(2_000_000_000L, 0);

        assertThatThrownBy(() -> codec.decode(data, BLOBS))
            .isInstanceOf(SerializationException.class)
            .hasMessageContaining("string claims 2000000000 bytes but the record has only " + (data.length - 5));
    }

    @Test
    void shouldRefuseABytesLengthLargerThanTheRecord() {
        byte[] data = claiming(Integer.MAX_VALUE - 8, 1);

        assertThatThrownBy(() -> codec.decode(data, BLOBS))
            .isInstanceOf(SerializationException.class)
            .hasMessageContaining("bytes claims " + (Integer.MAX_VALUE - 8) + " bytes");
    }

    @Test
    void shouldRefuseArrayAndMapBlockCountsLargerThanTheRecord() {
        assertThatThrownBy(() -> codec.decode(claiming(1_500_000_000L, 2), BLOBS))
            .isInstanceOf(SerializationException.class)
            .hasMessageContaining("array block claims 1500000000 items");
        assertThatThrownBy(() -> codec.decode(claiming(1_500_000_000L, 3), BLOBS))
            .isInstanceOf(SerializationException.class)
            .hasMessageContaining("map block claims 1500000000 items");
    }

    @Test
    void shouldStillDecodeLengthsThatFitTheRecord() {
        GenericRecord record = new GenericData.Record(BLOBS);
        record.put("text", "x".repeat(300));
        record.put("data", ByteBuffer.wrap(new byte[1000]));
        record.put("items", java.util.List.of(1L, 2L, 3L));
        record.put("tags", java.util.Map.of("k", "v"));

        GenericRecord decoded = (GenericRecord) codec.decode(codec.encode("blobs", record, true), BLOBS);

        assertThat(decoded.get("text").toString()).isEqualTo("x".repeat(300));
        assertThat(((ByteBuffer) decoded.get("data")).remaining()).isEqualTo(1000);
        assertThat(decoded.get("items")).asList().hasSize(3);
    }
}
