package io.snapshotter.tests.registry;

import io.snapshotter.registry.IncompatibleSchemaException;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.registry.SchemaNotFoundException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.registry.SchemaRegistryClient.Compatibility;
import io.snapshotter.registry.SchemaRegistryClient.RegisteredSchema;
import io.snapshotter.serde.AvroWireCodec;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The REST client and the wire-format codec against a real registry (Apicurio's Confluent API). */
class RestClientAgainstApicurioTest {

    private static final String V1 = """
        {"type": "record", "name": "Part", "namespace": "test.registry",
         "fields": [{"name": "name", "type": "string"}]}""";
    /** V1 plus a field with a default: BACKWARD compatible. */
    private static final String V2 = """
        {"type": "record", "name": "Part", "namespace": "test.registry",
         "fields": [{"name": "name", "type": "string"}, {"name": "weight", "type": "int", "default": 1}]}""";
    /** V1 plus a field without a default: not BACKWARD compatible. */
    private static final String V2_BREAKING = """
        {"type": "record", "name": "Part", "namespace": "test.registry",
         "fields": [{"name": "name", "type": "string"}, {"name": "colour", "type": "string"}]}""";

    private static ApicurioRegistry apicurio;
    private RestSchemaRegistryClient client;
    private String subject;

    @BeforeAll
    static void startRegistry() throws Exception {
        apicurio = ApicurioRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        apicurio.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void newClientAndSubject(TestInfo test) {
        client = new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(apicurio.url()));
        subject = test.getTestMethod().orElseThrow().getName() + "-value";
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    @Test
    void shouldRegisterAndReadBack() {
        int id = client.register(subject, parse(V1));
        RestSchemaRegistryClient fresh = new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(apicurio.url()));
        assertThat(fresh.schemaById(id)).isEqualTo(parse(V1));
        assertThat(fresh.idOf(subject, parse(V1))).isEqualTo(id);
        RegisteredSchema latest = fresh.latest(subject);
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.id()).isEqualTo(id);
        assertThat(latest.schema()).isEqualTo(parse(V1));
        assertThat(fresh.version(subject, 1)).isEqualTo(latest);
    }

    @Test
    void shouldGiveTheSameIdToTheSameSchemaRegisteredTwice() {
        int first = client.register(subject, parse(V1));
        RestSchemaRegistryClient other = new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(apicurio.url()));
        assertThat(other.register(subject, parse(V1))).isEqualTo(first);
        assertThat(other.latest(subject).version()).isEqualTo(1);
    }

    @Test
    void shouldRejectAnIncompatibleChangeUnderBackwardCompatibility() {
        client.register(subject, parse(V1));
        client.setCompatibility(subject, Compatibility.BACKWARD);

        assertThat(client.isCompatible(subject, parse(V2_BREAKING))).isFalse();
        assertThatThrownBy(() -> client.register(subject, parse(V2_BREAKING)))
            .isInstanceOf(IncompatibleSchemaException.class).hasMessageContaining(subject);

        assertThat(client.isCompatible(subject, parse(V2))).isTrue();
        int v2 = client.register(subject, parse(V2));
        assertThat(client.latest(subject)).isEqualTo(new RegisteredSchema(subject, 2, v2, parse(V2)));
    }

    @Test
    void shouldReportUnknownIdsSubjectsAndVersionsAsNotFound() {
        assertThatThrownBy(() -> client.schemaById(987_654)).isInstanceOf(SchemaNotFoundException.class)
            .hasMessageContaining("987654");
        assertThatThrownBy(() -> client.latest(subject)).isInstanceOf(SchemaNotFoundException.class)
            .hasMessageContaining(subject);
        client.register(subject, parse(V1));
        assertThatThrownBy(() -> client.version(subject, 9)).isInstanceOf(SchemaNotFoundException.class)
            .hasMessageContaining("version 9");
        assertThatThrownBy(() -> client.idOf(subject, parse(V2))).isInstanceOf(SchemaNotFoundException.class)
            .hasMessageContaining(subject);
    }

    @Test
    void shouldResolveSchemaEvolutionThroughTheRegistryBothWays() {
        AvroWireCodec codec = new AvroWireCodec(client);
        GenericRecord newer = new GenericData.Record(parse(V2));
        newer.put("name", "gear");
        newer.put("weight", 5);
        GenericRecord older = new GenericData.Record(parse(V1));
        older.put("name", "cog");

        byte[] writtenByNew = codec.encode(subject, newer, true);
        byte[] writtenByOld = codec.encode(subject + "-old", older, true);

        AvroWireCodec reader = new AvroWireCodec(
            new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(apicurio.url())));
        GenericRecord oldReads = (GenericRecord) reader.decode(writtenByNew, parse(V1));
        assertThat(oldReads.get("name").toString()).isEqualTo("gear");
        assertThat(oldReads.getSchema().getField("weight")).isNull();
        GenericRecord newReads = (GenericRecord) reader.decode(writtenByOld, parse(V2));
        assertThat(newReads.get("name").toString()).isEqualTo("cog");
        assertThat(newReads.get("weight")).isEqualTo(1);
    }
}
