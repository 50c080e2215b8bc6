package io.snapshotter.registry;

import org.apache.avro.Schema;

/**
 * The Confluent Schema Registry API, as far as the processor and its users need it.
 * Implementations: {@link RestSchemaRegistryClient} for a real registry (Confluent, Apicurio's
 * ccompat API, Redpanda, Karapace) and {@link InMemorySchemaRegistry} for tests and the embedded
 * mode.
 *
 * <p>Schema ids are global and immutable: the same schema registered under any subject gets the
 * same id, and an id always names the same schema.
 */
public interface SchemaRegistryClient {

    /**
     * Registers {@code schema} under {@code subject} (idempotent) and returns its global id.
     *
     * @throws IncompatibleSchemaException if the subject's compatibility level rejects it
     */
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

    /**
     * The newest version registered under {@code subject}.
     *
     * @throws SchemaNotFoundException if the subject is unknown
     */
    RegisteredSchema latest(String subject);

    /**
     * Version {@code version} (1, 2, ...) of {@code subject}.
     *
     * @throws SchemaNotFoundException if the subject or version is unknown
     */
    RegisteredSchema version(String subject, int version);

    /** Whether {@code schema} could be registered under {@code subject} at its compatibility level. */
    boolean isCompatible(String subject, Schema schema);

    /** Sets the compatibility level of {@code subject}. */
    void setCompatibility(String subject, Compatibility level);

    /** One version of a subject. */
    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }

    /** Compatibility levels, as the registry API names them. */
    enum Compatibility { NONE, BACKWARD, FORWARD, FULL }
}
