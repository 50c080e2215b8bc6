package io.snapshotter.registry;

/** The registry refused a schema: it breaks the subject's compatibility level. */
public class IncompatibleSchemaException extends SchemaRegistryException {

    public IncompatibleSchemaException(String message) {
        super(message);
    }
}
