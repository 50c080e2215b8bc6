package io.snapshotter.registry;

/**
 * The registry answered, but the schema it holds under the id is not usable Avro: another schema
 * type (JSON Schema, Protobuf: Confluent's other serializers use the same wire format), text that
 * does not parse, or references that cannot be resolved. Not transient: data written with it is
 * undecodable here.
 */
public class UnusableSchemaException extends SchemaRegistryException {

    public UnusableSchemaException(String message) {
        super(message);
    }

    public UnusableSchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
