package io.snapshotter.tests.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapshotter.registry.IncompatibleSchemaException;
import io.snapshotter.registry.RegistryMisconfiguredException;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.registry.SchemaNotFoundException;
import io.snapshotter.registry.SchemaRegistryClient.Compatibility;
import io.snapshotter.registry.SchemaRegistryClient.RegisteredSchema;
import io.snapshotter.registry.UnusableSchemaException;
import io.snapshotter.serde.AvroWireCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
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

    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    @Test
    void shouldCallJsonSchemaAndProtobufSchemasUnusableNamingTheirType() throws Exception {
        int json = registerRaw(subject, Map.of("schemaType", "JSON",
            "schema", "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"));
        int protobuf = registerRaw(subject + "-proto", Map.of("schemaType", "PROTOBUF",
            "schema", "syntax = \"proto3\";\nmessage Part { string name = 1; }\n"));

        assertThatThrownBy(() -> client.schemaById(json)).isInstanceOf(UnusableSchemaException.class)
            .hasMessageContaining("schema id " + json + " is a JSON schema, not Avro");
        assertThatThrownBy(() -> client.schemaById(protobuf)).isInstanceOf(UnusableSchemaException.class)
            .hasMessageContaining("schema id " + protobuf + " is a PROTOBUF schema, not Avro");
        assertThatThrownBy(() -> client.latest(subject)).isInstanceOf(UnusableSchemaException.class)
            .hasMessageContaining("JSON");
    }

    @Test
    void shouldResolveAReferenceToAnotherSubjectAndDecodeARecordWrittenWithIt() throws Exception {
        String partSubject = subject + "-part";
        client.register(partSubject, parse(V1));
        String order = """
            {"type": "record", "name": "Order", "namespace": "test.registry",
             "fields": [{"name": "id", "type": "string"}, {"name": "part", "type": "test.registry.Part"}]}""";
        int id = registerRaw(subject, Map.of("schema", order,
            "references", List.of(Map.of("name", "test.registry.Part", "subject", partSubject, "version", 1))));

        Schema.Parser parser = new Schema.Parser();
        parser.parse(V1);
        Schema writer = parser.parse(order);
        GenericRecord part = new GenericData.Record(parse(V1));
        part.put("name", "cog");
        GenericRecord written = new GenericData.Record(writer);
        written.put("id", "order-1");
        written.put("part", part);

        RestSchemaRegistryClient fresh = new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(apicurio.url()));
        GenericRecord read = (GenericRecord) new AvroWireCodec(fresh).decode(wireFormat(id, written), writer);

        assertThat(read.get("id").toString()).isEqualTo("order-1");
        assertThat(((GenericRecord) read.get("part")).get("name").toString()).isEqualTo("cog");
        assertThat(fresh.schemaById(id)).isEqualTo(writer);
        assertThat(new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(apicurio.url())).latest(subject)
            .schema()).isEqualTo(writer);
    }

    @Test
    void shouldFailTheCheckOfAUrlWithoutTheConfluentApiPath() {
        String base = apicurio.url().substring(0, apicurio.url().length() - "/apis/ccompat/v7".length());
        RestSchemaRegistryClient wrongPath = new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(base));

        client.check();
        assertThatThrownBy(wrongPath::check).isInstanceOf(RegistryMisconfiguredException.class)
            .hasMessageContaining(base + " answered 404 without a Confluent error_code")
            .hasMessageContaining("/apis/ccompat/v7");
        assertThat(wrongPath.availability().available()).isFalse();
        assertThat(client.availability().available()).isTrue();
    }

    /** Registers through the API directly: the client registers Avro schemas without references only. */
    private static int registerRaw(String subject, Map<String, ?> body) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(apicurio.url() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body()).path("id").asInt();
    }

    /** Confluent's wire format, written by hand so the record's schema keeps its reference. */
    private static byte[] wireFormat(int id, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
