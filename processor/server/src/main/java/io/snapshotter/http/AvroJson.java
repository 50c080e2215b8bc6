package io.snapshotter.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro values (specific or generic) as plain JSON for people and tools: records as objects in field
 * order, unions as their value (no {@code {"string": ...}} wrapping), enums and strings as text,
 * timestamps as ISO-8601 text, bytes as base64.
 */
public final class AvroJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {
    }

    public static JsonNode toJson(Object value) {
        return toJson(value, value instanceof GenericContainer container ? container.getSchema() : null);
    }

    private static JsonNode toJson(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof IndexedRecord record) {
            ObjectNode object = NODES.objectNode();
            for (Schema.Field field : record.getSchema().getFields()) {
                object.set(field.name(), toJson(record.get(field.pos()), field.schema()));
            }
            return object;
        }
        if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?> || value instanceof Enum<?>) {
            return NODES.textNode(value.toString());
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof GenericFixed fixed) {
            return NODES.textNode(Base64.getEncoder().encodeToString(fixed.bytes()));
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            Schema values = schema == null ? null : branch(schema, Schema.Type.MAP);
            map.forEach((k, v) -> object.set(k.toString(), toJson(v, values == null ? null : values.getValueType())));
            return object;
        }
        if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode();
            Schema elements = schema == null ? null : branch(schema, Schema.Type.ARRAY);
            items.forEach(item -> array.add(toJson(item, elements == null ? null : elements.getElementType())));
            return array;
        }
        if (value instanceof Long millis && isTimestamp(schema, "timestamp-millis")) {
            return NODES.textNode(Instant.ofEpochMilli(millis).toString());
        }
        if (value instanceof Long micros && isTimestamp(schema, "timestamp-micros")) {
            return NODES.textNode(Instant.EPOCH.plusNanos(micros * 1_000).toString());
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof BigDecimal decimal) {
            return NODES.numberNode(decimal);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        return NODES.textNode(value.toString()); // Instant, LocalDate, UUID ... print as ISO / canonical text
    }

    private static Schema branch(Schema schema, Schema.Type type) {
        if (schema.getType() == type) {
            return schema;
        }
        if (schema.getType() == Schema.Type.UNION) {
            return schema.getTypes().stream().filter(s -> s.getType() == type).findFirst().orElse(null);
        }
        return null;
    }

    private static boolean isTimestamp(Schema schema, String logicalType) {
        Schema longs = schema == null ? null : branch(schema, Schema.Type.LONG);
        LogicalType logical = longs == null ? null : longs.getLogicalType();
        return logical != null && logical.getName().equals(logicalType);
    }
}
