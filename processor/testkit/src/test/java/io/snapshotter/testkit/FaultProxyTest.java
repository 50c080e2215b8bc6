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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
            // as an HTTP API does: the whole request read before answering
            exchange.getRequestBody().readAllBytes();
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

    @Test
    void shouldHoldTheResponseToAMarkedRequestUntilPassWhileOthersGoThrough() throws Exception {
        proxy.holdResponsesTo("hold-me");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> held = client.sendAsync(post("hold-me"), HttpResponse.BodyHandlers.ofString());
        waitUntil(() -> proxy.heldResponses() == 1);

        assertThat(client.send(post("let-me-through"), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(BODY);
        assertThat(held).isNotDone();
        assertThat(proxy.requestsInFlight()).isEqualTo(1);
        assertThat(proxy.maxRequestsInFlight()).isEqualTo(2);

        proxy.pass();
        assertThat(held.get(5, TimeUnit.SECONDS).body()).isEqualTo(BODY);
        assertThat(proxy.heldResponses()).isZero();
        assertThat(proxy.requestsInFlight()).isZero();
    }

    private HttpRequest post(String body) {
        return HttpRequest.newBuilder(URI.create(proxy.httpEndpoint() + "/")).timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
