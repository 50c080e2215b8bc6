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
import java.util.ArrayList;
import java.util.List;

/**
 * A real Apicurio Registry as a child process on a free loopback port, speaking the Confluent API
 * under {@code /apis/ccompat/v7}: in memory ({@link #start()}), or on an H2 database file
 * ({@link #startPersistent(Path)}), which survives a {@link #restart()} on the same port. Maven
 * unpacks it (see topology-tests/pom.xml) and passes the runner jar's path as
 * {@code apicurio.runner.jar}.
 */
public final class ApicurioRegistry implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final List<String> command;
    private final Path jar;
    private final String url;
    private final Path log;
    private Process process;

    private ApicurioRegistry(List<String> command, Path jar, int port, Path log) {
        this.command = command;
        this.jar = jar;
        this.url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
        this.log = log;
    }

    /** An in-memory registry: a restart would lose every schema. */
    public static ApicurioRegistry start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /**
     * A registry whose schemas live in an H2 database file under {@code dataDir} (Apicurio's SQL
     * storage, H2 flavour, which the runner jar carries): {@link #restart()} keeps them, and their ids.
     */
    public static ApicurioRegistry startPersistent(Path dataDir) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        return start(List.of("-Dapicurio.storage.sql.kind=h2",
            "-Dapicurio.datasource.url=jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("registry")
                + ";DB_CLOSE_ON_EXIT=FALSE"));
    }

    private static ApicurioRegistry start(List<String> storageOptions) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("apicurio.runner.jar", "target/apicurio/missing.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Apicurio runner jar not found at " + jar + "; run the tests through Maven");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-Dquarkus.http.port=" + port,
            "-Dquarkus.http.host=127.0.0.1",
            "-Dquarkus.management.enabled=false",
            // same schema, other formatting: same id, as Confluent does
            "-Dapicurio.ccompat.use-canonical-hash=true"));
        command.addAll(storageOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ApicurioRegistry registry = new ApicurioRegistry(command, jar, port, Files.createTempFile("apicurio-", ".log"));
        registry.launch();
        return registry;
    }

    private void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder(command)
            .directory(jar.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        awaitReady(log);
    }

    /**
     * Stops the registry (SIGTERM: H2 writes its file on close; a SIGKILL may lose the last second
     * of writes) and starts it again on the same port, waiting until it answers.
     */
    public void restart() throws IOException, InterruptedException {
        close();
        launch();
    }

    /** The base URL of the Confluent-compatible API, as {@code schema.registry.url} takes it. */
    public String url() {
        return url;
    }

    /** The port {@link #url()} names; the same across restarts. */
    public int port() {
        return URI.create(url).getPort();
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
