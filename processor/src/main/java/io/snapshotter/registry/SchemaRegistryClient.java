package io.snapshotter.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API the serdes need. Implementations: an in-memory
 * registry for tests and the embedded mode; a REST client for a real registry.
 *
 * <p>Schema ids are global and immutable: the same schema registered under any subject gets the
 * same id, and an id always names the same schema.
 */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /**
     * Returns the id of {@code schema} if it is already registered under {@code subject}.
     *
     * @throws SchemaNotFoundException if it is not
     */
    int idOf(String subject, Schema schema);

    /**
     * Returns the schema with the given global id.
     *
     * @throws SchemaNotFoundException if no schema has that id
     */
    Schema schemaById(int id);
}
