package io.snapshotter.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy in front of a real HTTP server, each fault as a client sees it. */
class FaultProxyTest {

    private static final String BODY = "x".repeat(20_000);

    private HttpServer server;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        proxy = FaultProxy.start(server.getAddress().getPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        server.stop(0);
    }

    /** A fresh client each time: no pooled connection carries over from one fault to the next. */
    private HttpResponse<String> get(Duration timeout) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return client.send(HttpRequest.newBuilder(URI.create(proxy.httpEndpoint() + "/")).timeout(timeout).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldPassBytesThrough() throws Exception {
        HttpResponse<String> response = get(Duration.ofSeconds(5));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(BODY);
        assertThat(proxy.connections()).isEqualTo(1);
    }

    @Test
    void shouldRefuseConnectionsThenLetThemThroughAgainOnTheSamePort() throws Exception {
        int port = proxy.port();
        proxy.refuse();

        assertThatThrownBy(() -> get(Duration.ofSeconds(5))).isInstanceOf(ConnectException.class);

        proxy.pass();
        assertThat(proxy.port()).isEqualTo(port);
        assertThat(get(Duration.ofSeconds(5)).body()).isEqualTo(BODY);
    }

    @Test
    void shouldSwallowRequestsInABlackhole() throws Exception {
        proxy.blackhole();

        assertThatThrownBy(() -> get(Duration.ofMillis(500))).isInstanceOf(HttpTimeoutException.class);
        assertThat(proxy.connections()).isEqualTo(1);
    }

    @Test
    void shouldCutAResponseMidWay() throws Exception {
        proxy.cutResponsesAfter(1_000);

        assertThatThrownBy(() -> get(Duration.ofSeconds(5))).isInstanceOf(IOException.class);

        proxy.pass();
        assertThat(get(Duration.ofSeconds(5)).body()).isEqualTo(BODY);
    }

    @Test
    void shouldStillDeliverEveryByteWhenSlow() throws Exception {
        proxy.slow(5);

        assertThat(get(Duration.ofSeconds(10)).body()).isEqualTo(BODY);
    }
}
