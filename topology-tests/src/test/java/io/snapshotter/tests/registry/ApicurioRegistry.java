package io.snapshotter.tests.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Apicurio Registry (in memory) as a child process on a free loopback port, speaking the
 * Confluent API under {@code /apis/ccompat/v7}. Maven unpacks it (see topology-tests/pom.xml) and
 * passes the runner jar's path as {@code apicurio.runner.jar}.
 */
public final class ApicurioRegistry implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final String url;

    private ApicurioRegistry(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    public static ApicurioRegistry start() throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("apicurio.runner.jar", "target/apicurio/missing.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Apicurio runner jar not found at " + jar + "; run the tests through Maven");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("apicurio-", ".log");
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.enabled=false",
                // same schema, other formatting: same id, as Confluent does
                "-Dapicurio.ccompat.use-canonical-hash=true",
                "-jar", jar.toString()))
            .directory(jar.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        ApicurioRegistry registry = new ApicurioRegistry(process, "http://127.0.0.1:" + port + "/apis/ccompat/v7");
        registry.awaitReady(log);
        return registry;
    }

    /** The base URL of the Confluent-compatible API, as {@code schema.registry.url} takes it. */
    public String url() {
        return url;
    }

    private void awaitReady(Path log) throws InterruptedException, IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url + "/subjects")).build(),
                    HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        close();
        throw new IllegalStateException("Apicurio not ready after " + STARTUP_TIMEOUT + ":\n" + Files.readString(log));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
