package io.snapshotter.registry;

import java.time.Instant;
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

    /**
     * Checks that the registry answers and speaks the Confluent API as configured; called before
     * the processor starts.
     *
     * @throws RegistryMisconfiguredException if what answers is not that API (wrong path, refused credentials)
     * @throws RegistryUnavailableException   if nothing answers, after the client's retries
     */
    void check();

    /** Whether the registry answered its last calls, for readiness; a registry in memory always does. */
    default Availability availability() {
        return Availability.ALWAYS;
    }

    /**
     * @param available whether the last call reached the registry and got an answer of its API
     * @param since     since when that has been so (the first of a run of failures, or the first
     *                  success after them)
     * @param lastError the last failure, while unavailable; null while available
     */
    record Availability(boolean available, Instant since, String lastError) {

        /** Of a registry that cannot fail (in memory). */
        public static final Availability ALWAYS = new Availability(true, Instant.EPOCH, null);
    }

    /** One version of a subject. */
    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }

    /** Compatibility levels, as the registry API names them. */
    enum Compatibility { NONE, BACKWARD, FORWARD, FULL }
}
