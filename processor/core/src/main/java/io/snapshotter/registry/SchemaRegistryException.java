package io.snapshotter.registry;

/** A registry call failed: unknown id or subject, incompatible schema, unreachable registry. */
public class SchemaRegistryException extends RuntimeException {

    public SchemaRegistryException(String message) {
        super(message);
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
