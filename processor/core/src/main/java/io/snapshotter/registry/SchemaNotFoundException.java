package io.snapshotter.registry;

/** The registry answered, and has no such schema: the id or subject is unknown. Not transient. */
public class SchemaNotFoundException extends SchemaRegistryException {

    public SchemaNotFoundException(String message) {
        super(message);
    }
}
