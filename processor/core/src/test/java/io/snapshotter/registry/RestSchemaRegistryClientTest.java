package io.snapshotter.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private RestSchemaRegistryClient client(Optional<String> basic, Optional<String> bearer, int attempts) {
        return new RestSchemaRegistryClient(new RestSchemaRegistryClient.Settings(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7/"), basic, bearer,
            Duration.ofSeconds(2), attempts, Duration.ofMillis(5)));
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
    void shouldGiveUpAfterTheBoundNamingTheRegistryAndTheCall() {
        assertThatThrownBy(() -> client(Optional.empty(), Optional.empty(), 3).schemaById(42))
            .isInstanceOf(SchemaRegistryException.class)
            .isNotInstanceOf(SchemaNotFoundException.class)
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
            .isInstanceOf(SchemaRegistryException.class)
            .hasMessageContaining("unreachable")
            .hasMessageContaining("subject 'orders-value'");
    }

    @Test
    void shouldNotRetryARefusal() {
        script.add(new Answer(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}"));
        assertThatThrownBy(() -> client(Optional.empty(), Optional.empty(), 5).schemaById(1))
            .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("HTTP 401").hasMessageContaining("Unauthorized");
        assertThat(requests).hasSize(1);
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

    private static String quoted(String json) {
        return "\"" + json.replace("\"", "\\\"") + "\"";
    }
}
