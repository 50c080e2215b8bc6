package io.snapshotter.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import io.snapshotter.registry.SchemaRegistryClient.Availability;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a real registry cannot be made to do on demand: fail transiently, or check credentials.
 * A scripted HTTP server answers instead; the happy paths run against Apicurio in topology-tests.
 */
class RestSchemaRegistryClientTest {

    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":\"string\"}]}";

    private record Answer(int status, String body) { }

    private HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<String> requests = new ArrayList<>();
    private final List<String> authorizations = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private synchronized void answer(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        Answer answer = script.isEmpty() ? new Answer(500, "{}") : script.poll();
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private RestSchemaRegistryClient client(Optional<String> basic, Optional<String> bearer, int attempts) {
        return new RestSchemaRegistryClient(settings(basic, bearer, attempts));
    }

    private RestSchemaRegistryClient client(int attempts) {
        return client(Optional.empty(), Optional.empty(), attempts);
    }

    private RestSchemaRegistryClient.Settings settings(Optional<String> basic, Optional<String> bearer, int attempts) {
        return new RestSchemaRegistryClient.Settings(URI.create(baseUrl() + "/"), basic, bearer, Duration.ofSeconds(2),
            attempts, Duration.ofMillis(5));
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
    }

    @Test
    void shouldRetryTransientFailuresThenSucceed() {
        script.add(new Answer(503, "{\"message\":\"busy\"}"));
        script.add(new Answer(429, "{\"message\":\"slow down\"}"));
        script.add(new Answer(200, "{\"schema\":" + quoted(SCHEMA) + "}"));
        Schema schema = client(Optional.empty(), Optional.empty(), 3).schemaById(7);
        assertThat(schema.getFullName()).isEqualTo("A");
        assertThat(requests).containsExactly("GET /apis/ccompat/v7/schemas/ids/7", "GET /apis/ccompat/v7/schemas/ids/7",
            "GET /apis/ccompat/v7/schemas/ids/7");
    }

    @Test
    void shouldCacheSchemasByIdAndIdsBySubject() {
        script.add(new Answer(200, "{\"schema\":" + quoted(SCHEMA) + "}"));
        script.add(new Answer(200, "{\"id\":7}"));
        RestSchemaRegistryClient client = client(Optional.empty(), Optional.empty(), 1);
        Schema schema = client.schemaById(7);
        assertThat(client.schemaById(7)).isSameAs(schema);
        assertThat(client.register("s-value", schema)).isEqualTo(7);
        assertThat(client.register("s-value", schema)).isEqualTo(7);
        assertThat(requests).containsExactly("GET /apis/ccompat/v7/schemas/ids/7", "POST /apis/ccompat/v7/subjects/s-value/versions");
    }

    @Test
    void shouldCallTheRegistryUnavailableWhen5xxAnswersExhaustTheAttempts() {
        assertThatThrownBy(() -> client(Optional.empty(), Optional.empty(), 3).schemaById(42))
            .isInstanceOf(RegistryUnavailableException.class)
            .hasMessageContaining("127.0.0.1:" + server.getAddress().getPort())
            .hasMessageContaining("schema id 42")
            .hasMessageContaining("3 attempts");
        assertThat(requests).hasSize(3);
    }

    @Test
    void shouldSayTheRegistryIsUnreachableWhenNothingListens() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(new RestSchemaRegistryClient.Settings(
            URI.create("http://127.0.0.1:" + closedPort), Optional.empty(), Optional.empty(), Duration.ofSeconds(1), 2,
            Duration.ofMillis(1)));
        assertThatThrownBy(() -> client.register("orders-value", new Schema.Parser().parse(SCHEMA)))
            .isInstanceOf(RegistryUnavailableException.class)
            .hasMessageContaining("unreachable")
            .hasMessageContaining("subject 'orders-value'");
    }

    @Test
    void shouldCallRefusedCredentialsAMisconfigurationWithoutRetrying() {
        script.add(new Answer(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}"));
        script.add(new Answer(403, "<html>Forbidden</html>"));
        RestSchemaRegistryClient client = client(5);
        assertThatThrownBy(() -> client.schemaById(1))
            .isInstanceOf(RegistryMisconfiguredException.class).hasMessageContaining(baseUrl())
            .hasMessageContaining("HTTP 401").hasMessageContaining("Unauthorized")
            .hasMessageContaining(RegistryConfig.BASIC_AUTH);
        assertThatThrownBy(() -> client.latest("s-value"))
            .isInstanceOf(RegistryMisconfiguredException.class).hasMessageContaining("HTTP 403");
        assertThat(requests).hasSize(2);
    }

    @Test
    void shouldSendBasicAuthOrABearerToken() {
        script.add(new Answer(200, "{\"schema\":" + quoted(SCHEMA) + "}"));
        script.add(new Answer(200, "{\"schema\":" + quoted(SCHEMA) + "}"));
        client(Optional.of("alice:secret"), Optional.empty(), 1).schemaById(1);
        client(Optional.empty(), Optional.of("t0ken"), 1).schemaById(1);
        assertThat(authorizations).containsExactly("Basic YWxpY2U6c2VjcmV0", "Bearer t0ken");
    }

    @Test
    void shouldEncodeSubjectsInPaths() {
        script.add(new Answer(200, "{\"id\":3}"));
        client(Optional.empty(), Optional.empty(), 1).register("io.example.Thing value", new Schema.Parser().parse(SCHEMA));
        assertThat(requests).containsExactly("POST /apis/ccompat/v7/subjects/io.example.Thing%20value/versions");
    }

    @Test
    void shouldCallAJsonOrProtobufSchemaUnusableNamingItsTypeAndId() {
        script.add(new Answer(200, "{\"schemaType\":\"JSON\",\"schema\":\"{\\\"type\\\":\\\"object\\\"}\"}"));
        script.add(new Answer(200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\"; message M {}\"}"));
        RestSchemaRegistryClient client = client(1);
        assertThatThrownBy(() -> client.schemaById(7)).isInstanceOf(UnusableSchemaException.class)
            .hasMessageContaining("schema id 7 is a JSON schema, not Avro");
        assertThatThrownBy(() -> client.schemaById(8)).isInstanceOf(UnusableSchemaException.class)
            .hasMessageContaining("schema id 8 is a PROTOBUF schema, not Avro");
    }

    @Test
    void shouldCallUnparsableTextUnusableAndNotCacheTheFailure() {
        script.add(new Answer(200, "{\"schemaType\":\"AVRO\",\"schema\":\"{\\\"type\\\":\\\"recrd\\\"}\"}"));
        script.add(new Answer(200, "{\"schema\":" + quoted(SCHEMA) + "}"));
        RestSchemaRegistryClient client = client(1);
        assertThatThrownBy(() -> client.schemaById(7)).isInstanceOf(UnusableSchemaException.class)
            .hasMessageContaining("schema id 7 is not a valid Avro schema");
        assertThat(client.schemaById(7).getFullName()).isEqualTo("A");
        assertThat(requests).hasSize(2);
    }

    @Test
    void shouldParseReferencedSchemasAndTheirOwnReferencesBeforeTheSchema() {
        String inner = "{\"type\":\"enum\",\"name\":\"Colour\",\"namespace\":\"t\",\"symbols\":[\"RED\"]}";
        String middle = "{\"type\":\"record\",\"name\":\"Part\",\"namespace\":\"t\",\"fields\":"
            + "[{\"name\":\"colour\",\"type\":\"t.Colour\"}]}";
        String main = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"t\",\"fields\":"
            + "[{\"name\":\"part\",\"type\":\"t.Part\"},{\"name\":\"colour\",\"type\":\"t.Colour\"}]}";
        script.add(new Answer(200, "{\"schemaType\":\"AVRO\",\"schema\":" + quoted(main) + ",\"references\":["
            + reference("t.Part", "part-value", 2) + "," + reference("t.Colour", "colour-value", 1) + "]}"));
        script.add(new Answer(200, "{\"subject\":\"part-value\",\"version\":2,\"id\":5,\"schema\":" + quoted(middle)
            + ",\"references\":[" + reference("t.Colour", "colour-value", 1) + "]}"));
        script.add(new Answer(200, "{\"subject\":\"colour-value\",\"version\":1,\"id\":4,\"schema\":" + quoted(inner)
            + "}"));

        Schema schema = client(1).schemaById(7);

        assertThat(schema.getFullName()).isEqualTo("t.Order");
        assertThat(schema.getField("part").schema().getField("colour").schema().getEnumSymbols()).containsExactly("RED");
        assertThat(schema.getField("colour").schema()).isEqualTo(schema.getField("part").schema().getField("colour").schema());
        assertThat(requests).containsExactly("GET /apis/ccompat/v7/schemas/ids/7",
            "GET /apis/ccompat/v7/subjects/part-value/versions/2", "GET /apis/ccompat/v7/subjects/colour-value/versions/1");
    }

    @Test
    void shouldCallASchemaWithAnUnresolvableReferenceUnusable() {
        String main = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"part\",\"type\":\"t.Part\"}]}";
        script.add(new Answer(200, "{\"schema\":" + quoted(main) + ",\"references\":[" + reference("t.Part", "part-value", 3)
            + "]}"));
        script.add(new Answer(404, "{\"error_code\":40402,\"message\":\"Version 3 not found.\"}"));
        assertThatThrownBy(() -> client(1).schemaById(7)).isInstanceOf(UnusableSchemaException.class)
            .hasMessageContaining("schema id 7").hasMessageContaining("'t.Part'").hasMessageContaining("part-value")
            .hasMessageContaining("cannot be resolved");
    }

    @Test
    void shouldCallCyclicReferencesUnusable() {
        String part = "{\"type\":\"record\",\"name\":\"Part\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}";
        script.add(new Answer(200, "{\"schema\":" + quoted(part) + ",\"references\":[" + reference("A", "a-value", 1) + "]}"));
        script.add(new Answer(200, "{\"schema\":" + quoted(part) + ",\"references\":[" + reference("B", "b-value", 1) + "]}"));
        script.add(new Answer(200, "{\"schema\":" + quoted(part) + ",\"references\":[" + reference("A", "a-value", 1) + "]}"));
        assertThatThrownBy(() -> client(1).schemaById(7)).isInstanceOf(UnusableSchemaException.class)
            .hasMessageContaining("cycle").hasMessageContaining("a-value/1 -> b-value/1 -> a-value/1");
        assertThat(requests).hasSize(3);
    }

    @Test
    void shouldCallA404WithAConfluentErrorCodeNotFound() {
        script.add(new Answer(404, "{\"error_code\":40401,\"message\":\"Subject 'orders-value' not found.\"}"));
        assertThatThrownBy(() -> client(5).latest("orders-value")).isInstanceOf(SchemaNotFoundException.class)
            .hasMessageContaining("orders-value").hasMessageContaining("40401");
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldCallA404WithoutAConfluentErrorCodeAMisconfiguration() {
        script.add(new Answer(404, "{\"status\":404,\"title\":\"Could not find resource\"}"));
        script.add(new Answer(404, ""));
        RestSchemaRegistryClient client = client(5);
        assertThatThrownBy(() -> client.latest("orders-value")).isInstanceOf(RegistryMisconfiguredException.class)
            .hasMessageContaining(baseUrl() + " answered 404 without a Confluent error_code")
            .hasMessageContaining(RegistryConfig.URL).hasMessageContaining("/apis/ccompat/v7");
        assertThatThrownBy(() -> client.schemaById(3)).isInstanceOf(RegistryMisconfiguredException.class);
        assertThat(requests).hasSize(2);
    }

    @Test
    void shouldCallAnAnswerThatIsNotJsonAMisconfiguration() {
        script.add(new Answer(200, "<html><body>Registry console</body></html>"));
        assertThatThrownBy(() -> client(5).schemaById(3)).isInstanceOf(RegistryMisconfiguredException.class)
            .hasMessageContaining(baseUrl()).hasMessageContaining("not JSON").hasMessageContaining(RegistryConfig.URL);
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldAskAgainForAnIdTheRegistryDoesNotKnowYet() {
        script.add(new Answer(404, "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}"));
        script.add(new Answer(404, "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}"));
        script.add(new Answer(200, "{\"schema\":" + quoted(SCHEMA) + "}"));
        assertThat(client(1).schemaById(7).getFullName()).isEqualTo("A");
        assertThat(requests).hasSize(3);
    }

    @Test
    void shouldCallAnIdNotFoundOnceItStaysUnknown() {
        for (int i = 0; i < RestSchemaRegistryClient.UNKNOWN_ID_ATTEMPTS + 1; i++) {
            script.add(new Answer(404, "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}"));
        }
        assertThatThrownBy(() -> client(1).schemaById(7)).isInstanceOf(SchemaNotFoundException.class)
            .hasMessageContaining("schema id 7");
        assertThat(requests).hasSize(RestSchemaRegistryClient.UNKNOWN_ID_ATTEMPTS);
    }

    @Test
    void shouldTakeOnlyAnUnknownSubjectAsCompatible() {
        script.add(new Answer(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}"));
        script.add(new Answer(404, "{\"error_code\":40402,\"message\":\"Version not found\"}"));
        script.add(new Answer(404, "not here"));
        RestSchemaRegistryClient client = client(1);
        Schema schema = new Schema.Parser().parse(SCHEMA);
        assertThat(client.isCompatible("new-value", schema)).isTrue();
        assertThatThrownBy(() -> client.isCompatible("s-value", schema)).isInstanceOf(SchemaNotFoundException.class);
        assertThatThrownBy(() -> client.isCompatible("s-value", schema)).isInstanceOf(RegistryMisconfiguredException.class);
    }

    @Test
    void shouldCheckThatTheConfluentApiAnswers() {
        script.add(new Answer(200, "[\"a-value\",\"b-value\"]"));
        script.add(new Answer(200, "{\"name\":\"Apicurio Registry\"}"));
        script.add(new Answer(404, "{\"status\":404}"));
        RestSchemaRegistryClient client = client(2);
        client.check();
        assertThatThrownBy(client::check).isInstanceOf(RegistryMisconfiguredException.class)
            .hasMessageContaining("not the JSON array");
        assertThat(client.availability().available()).isFalse();
        assertThatThrownBy(client::check).isInstanceOf(RegistryMisconfiguredException.class)
            .hasMessageContaining("without a Confluent error_code");
        assertThatThrownBy(client::check).isInstanceOf(RegistryUnavailableException.class);
        assertThat(requests).containsExactly("GET /apis/ccompat/v7/subjects", "GET /apis/ccompat/v7/subjects",
            "GET /apis/ccompat/v7/subjects", "GET /apis/ccompat/v7/subjects", "GET /apis/ccompat/v7/subjects");
    }

    @Test
    void shouldTellWhetherAndSinceWhenTheRegistryIsAvailable() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(settings(Optional.empty(), Optional.empty(), 1), clock);
        Schema schema = new Schema.Parser().parse(SCHEMA);
        assertThat(client.availability().available()).isTrue();

        clock.now = Instant.parse("2026-01-01T00:01:00Z");
        script.add(new Answer(503, "{\"message\":\"down for maintenance\"}"));
        assertThatThrownBy(() -> client.register("s-value", schema)).isInstanceOf(RegistryUnavailableException.class);
        Availability firstFailure = client.availability();
        assertThat(firstFailure.available()).isFalse();
        assertThat(firstFailure.since()).isEqualTo(clock.now);
        assertThat(firstFailure.lastError()).contains("down for maintenance");

        clock.now = Instant.parse("2026-01-01T00:02:00Z");
        script.add(new Answer(404, "<html>no</html>"));
        assertThatThrownBy(() -> client.register("s-value", schema)).isInstanceOf(RegistryMisconfiguredException.class);
        assertThat(client.availability()).isEqualTo(new Availability(false, Instant.parse("2026-01-01T00:01:00Z"),
            client.availability().lastError()));
        assertThat(client.availability().lastError()).contains("without a Confluent error_code");

        clock.now = Instant.parse("2026-01-01T00:03:00Z");
        script.add(new Answer(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}"));
        assertThatThrownBy(() -> client.latest("s-value")).isInstanceOf(SchemaNotFoundException.class);
        assertThat(client.availability()).isEqualTo(new Availability(true, clock.now, null));

        clock.now = Instant.parse("2026-01-01T00:04:00Z");
        script.add(new Answer(200, "{\"id\":3}"));
        client.register("s-value", schema);
        assertThat(client.availability()).isEqualTo(new Availability(true, Instant.parse("2026-01-01T00:03:00Z"), null));
    }

    @Test
    void shouldCallTheInMemoryRegistryAlwaysAvailableAndChecked() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        registry.check();
        assertThatThrownBy(() -> registry.schemaById(1)).isInstanceOf(SchemaNotFoundException.class);
        assertThat(registry.availability().available()).isTrue();
    }

    private static final class MovableClock extends Clock {
        volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static String reference(String name, String subject, int version) {
        return "{\"name\":\"" + name + "\",\"subject\":\"" + subject + "\",\"version\":" + version + "}";
    }

    private static String quoted(String json) {
        return "\"" + json.replace("\"", "\\\"") + "\"";
    }
}
