package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.domain.inventory.state.ItemStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

    private static final Instant AT = Instant.parse("2026-03-01T11:00:00.123Z");

    @Test
    void shouldWriteASpecificRecordAsPlainJsonInFieldOrder() {
        InventoryItemState state = new InventoryItemState("item-1", "SKU-1", "Widget", "wh-1", 7L, 10L, 3L,
            ItemStatus.DISCONTINUED, "recalled", AT);

        JsonNode json = AvroJson.toJson(state);

        assertThat(json.toString()).isEqualTo("{\"itemId\":\"item-1\",\"sku\":\"SKU-1\",\"name\":\"Widget\","
            + "\"warehouseId\":\"wh-1\",\"quantityOnHand\":7,\"totalReceived\":10,\"totalShipped\":3,"
            + "\"status\":\"DISCONTINUED\",\"discontinuedReason\":\"recalled\",\"lastUpdated\":\"2026-03-01T11:00:00.123Z\"}");
    }

    @Test
    void shouldUnwrapUnionsAndWriteTimestampsBytesArraysAndMapsOfAGenericRecord() {
        Schema millis = org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        Schema schema = SchemaBuilder.record("Thing").fields()
            .name("at").type(millis).noDefault()
            .name("maybeAt").type(Schema.createUnion(Schema.create(Schema.Type.NULL), millis)).noDefault()
            .name("maybeName").type().optional().stringType()
            .name("blob").type().bytesType().noDefault()
            .name("tags").type().array().items().stringType().noDefault()
            .name("counts").type().map().values().intType().noDefault()
            .endRecord();
        GenericRecord record = new GenericData.Record(schema);
        record.put("at", AT.toEpochMilli());
        record.put("maybeAt", AT.toEpochMilli());
        record.put("maybeName", null);
        record.put("blob", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        record.put("tags", List.of("a", "b"));
        record.put("counts", Map.of("x", 1));

        JsonNode json = AvroJson.toJson(record);

        assertThat(json.get("at").asText()).isEqualTo(AT.toString());
        assertThat(json.get("maybeAt").asText()).isEqualTo(AT.toString());
        assertThat(json.get("maybeName").isNull()).isTrue();
        assertThat(json.get("blob").asText()).isEqualTo("AQID");
        assertThat(json.get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(json.get("counts").toString()).isEqualTo("{\"x\":1}");
    }
}
