package io.snapshotter.tests.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.snapshotter.app.ProcessorApp;
import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.testkit.EmbeddedKafka;
import io.snapshotter.tests.testing.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A processor whose schema registry is down on a real broker: it serves {@code /ready} as 503 naming
 * the registry and does not start Kafka Streams until the registry answers, then starts.
 */
class RegistryStartupTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldAnswerNotReadyNamingTheRegistryAndWaitForItBeforeStartingKafkaStreams() throws Exception {
        int registryPort = freePort();
        int httpPort = freePort();
        String registryUrl = "http://127.0.0.1:" + registryPort;
        String prefix = "registry-startup-" + System.nanoTime();
        Path stateDir = Files.createTempDirectory(prefix);
        ProcessorConfig config = new ProcessorConfig(Map.of(
            "kafka.bootstrap.servers", kafka.bootstrapServers(),
            "kafka.application.id", prefix,
            "kafka.state.dir", stateDir.toString(),
            "schema.registry.url", registryUrl,
            "topic.events", prefix + "-events",
            "topic.snapshots", prefix + "-snapshots",
            "topic.dead.letters", prefix + "-dlq",
            "topic.snapshot.requests", prefix + "-snapshot-requests",
            "http.host", "127.0.0.1",
            "http.port", Integer.toString(httpPort)));
        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(new RestSchemaRegistryClient.Settings(
            URI.create(registryUrl), Optional.empty(), Optional.empty(), Duration.ofSeconds(1), 2,
            Duration.ofMillis(10)));
        CompletableFuture<ProcessorApp> starting = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                starting.complete(ProcessorApp.start(config, registry));
            } catch (Throwable e) {
                starting.completeExceptionally(e);
            }
        }, "processor-start");
        starter.start();
        HttpServer registryServer = null;
        try {
            URI ready = URI.create("http://127.0.0.1:" + httpPort + "/ready");
            Await.until("/ready names the unreachable registry", TIMEOUT, () -> {
                HttpResponse<String> response = get(ready);
                return response.statusCode() == 503 && response.body().contains("schema registry unreachable since");
            });
            HttpResponse<String> notReady = get(ready);
            assertThat(notReady.body()).contains(registryUrl).contains("\"schemaRegistry\":{\"status\":\"UNAVAILABLE\"")
                .contains("Kafka Streams is CREATED");
            assertThat(starting).isNotDone();

            registryServer = HttpServer.create(new InetSocketAddress("127.0.0.1", registryPort), 0);
            registryServer.createContext("/subjects", exchange -> {
                byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            registryServer.start();
            Await.until("the processor starts once the registry answers", TIMEOUT, starting::isDone);
            try (ProcessorApp app = starting.join()) {
                assertThat(app.streams().state()).isNotEqualTo(KafkaStreams.State.CREATED);
                assertThat(registry.availability().available()).isTrue();
                assertThat(get(ready).body()).contains("\"schemaRegistry\":{\"status\":\"AVAILABLE\"");
            }
        } finally {
            if (registryServer != null) {
                registryServer.stop(0);
            }
            if (!starting.isDone()) {
                starter.interrupt();  // ends the wait for the registry; the start closes what it opened
                starter.join();
            }
        }
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
