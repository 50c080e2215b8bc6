package io.snapshotter.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * A schema registry held in memory, with Confluent's rules: one global id per distinct schema, a
 * list of versions per subject, BACKWARD compatibility unless set otherwise. Used by topology
 * tests and by the embedded mode, so neither needs a server.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final List<Schema> schemasById = new ArrayList<>();
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
    private final Map<String, Compatibility> compatibilityBySubject = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        Integer known = idsBySchema.get(schema.toString());
        List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        if (known != null && versions.contains(known)) {
            return known;
        }
        if (!isCompatible(subject, schema)) {
            throw new IncompatibleSchemaException("Schema " + schema.getFullName() + " is incompatible with the latest "
                + "version of subject '" + subject + "' under " + compatibility(subject) + " compatibility");
        }
        int id = idsBySchema.computeIfAbsent(schema.toString(), s -> {
            schemasById.add(schema);
            return schemasById.size();
        });
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
        Integer id = idsBySchema.get(schema.toString());
        if (id == null || !versionsBySubject.getOrDefault(subject, List.of()).contains(id)) {
            throw new SchemaNotFoundException("Schema " + schema.getFullName()
                + " is not registered under subject '" + subject + "'");
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemasById.size()) {
            throw new SchemaNotFoundException("No schema with id " + id);
        }
        return schemasById.get(id - 1);
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        return version(subject, versions(subject).size());
    }

    @Override
    public synchronized RegisteredSchema version(String subject, int version) {
        List<Integer> versions = versions(subject);
        if (version < 1 || version > versions.size()) {
            throw new SchemaNotFoundException("Subject '" + subject + "' has no version " + version);
        }
        int id = versions.get(version - 1);
        return new RegisteredSchema(subject, version, id, schemaById(id));
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        if (versions.isEmpty()) {
            return true;
        }
        Schema latest = schemaById(versions.get(versions.size() - 1));
        return switch (compatibility(subject)) {
            case NONE -> true;
            case BACKWARD -> canRead(schema, latest);
            case FORWARD -> canRead(latest, schema);
            case FULL -> canRead(schema, latest) && canRead(latest, schema);
        };
    }

    @Override
    public synchronized void setCompatibility(String subject, Compatibility level) {
        compatibilityBySubject.put(subject, level);
    }

    /** Nothing to check: there is no server. */
    @Override
    public void check() {
    }

    private Compatibility compatibility(String subject) {
        return compatibilityBySubject.getOrDefault(subject, Compatibility.BACKWARD);
    }

    private List<Integer> versions(String subject) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null) {
            throw new SchemaNotFoundException("Subject '" + subject + "' not found");
        }
        return versions;
    }

    private static boolean canRead(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
            == SchemaCompatibilityType.COMPATIBLE;
    }
}
