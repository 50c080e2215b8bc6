package io.snapshotter.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.snapshotter.registry.RegistryConfig;
import io.snapshotter.registry.RegistryMisconfiguredException;
import io.snapshotter.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The start waits for a registry that is down and refuses one that is not the Confluent API. */
class RegistryStartupCheckTest {

    private record Answer(int status, String body) { }

    private HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Duration> pauses = new ArrayList<>();
    private int requests;

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
        requests++;
        Answer answer = script.isEmpty() ? new Answer(500, "{}") : script.poll();
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
    }

    private RestSchemaRegistryClient client() {
        return new RestSchemaRegistryClient(new RestSchemaRegistryClient.Settings(URI.create(url()), Optional.empty(),
            Optional.empty(), Duration.ofSeconds(2), 1, Duration.ofMillis(1)));
    }

    @Test
    void shouldWaitForARegistryThatIsDownBackingOffBetweenAttempts() throws InterruptedException {
        script.add(new Answer(503, "{\"message\":\"starting\"}"));
        script.add(new Answer(502, "<html>Bad Gateway</html>"));
        script.add(new Answer(503, "{\"message\":\"starting\"}"));
        script.add(new Answer(200, "[]"));

        RegistryStartupCheck.await(client(), url(), pauses::add);

        assertThat(requests).isEqualTo(4);
        assertThat(pauses).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void shouldBackOffAtMostTenSeconds() {
        assertThat(RegistryStartupCheck.next(Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(8));
        assertThat(RegistryStartupCheck.next(Duration.ofSeconds(8))).isEqualTo(Duration.ofSeconds(10));
        assertThat(RegistryStartupCheck.next(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldFailTheStartNamingTheUrlWhenWhatAnswersIsNotTheConfluentApi() {
        script.add(new Answer(404, "{\"status\":404,\"title\":\"Could not find resource\"}"));

        assertThatThrownBy(() -> RegistryStartupCheck.await(client(), url(), pauses::add))
            .isInstanceOf(RegistryMisconfiguredException.class)
            .hasMessageContaining(RegistryConfig.URL + "=" + url())
            .hasMessageContaining("without a Confluent error_code");
        assertThat(pauses).isEmpty();
    }
}
