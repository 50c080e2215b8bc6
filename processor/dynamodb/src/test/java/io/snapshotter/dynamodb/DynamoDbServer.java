package io.snapshotter.dynamodb;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * An open-source DynamoDB-compatible server for the tests: moto's server mode (Apache-2.0),
 * {@code python3 -m moto.server}, as a child process on a free loopback port, in memory. The Python
 * interpreter is {@code python3} unless the system property {@code moto.python} names another;
 * {@code .ci/run} installs moto where it is missing. Outages are played through a
 * {@link io.snapshotter.testkit.FaultProxy} in front of it, not by stopping it (its data is in memory).
 */
public final class DynamoDbServer implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    public static final String ACCESS_KEY = "testing";

    private final Process process;
    private final int port;
    private final Path log;

    private DynamoDbServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static DynamoDbServer start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("moto-server-", ".log");
        String python = System.getProperty("moto.python", "python3");
        Process process = new ProcessBuilder(List.of(python, "-m", "moto.server", "-H", "127.0.0.1",
                "-p", Integer.toString(port)))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        DynamoDbServer server = new DynamoDbServer(process, port, log);
        server.awaitReady();
        return server;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        try (DynamoDbClient client = client()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("moto server exited with " + process.exitValue()
                        + " (is moto installed? `python3 -m moto.server`): " + Files.readString(log));
                }
                try {
                    client.listTables();
                    return;
                } catch (SdkException e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new IllegalStateException("moto server not ready after " + STARTUP_TIMEOUT + ": "
                            + Files.readString(log), e);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The processor's settings to write its snapshots here, creating the table: the credentials {@link #client()} uses. */
    public Map<String, String> processorSettings() {
        return processorSettings(endpoint());
    }

    /** As {@link #processorSettings()}, through {@code endpoint} (a fault proxy in front of this server). */
    public Map<String, String> processorSettings(String endpoint) {
        return Map.of("dynamodb.enabled", "true", "dynamodb.endpoint", endpoint,
            "dynamodb.access.key.id", ACCESS_KEY, "dynamodb.secret.access.key", ACCESS_KEY,
            "dynamodb.table.create", "true");
    }

    public DynamoDbClient client() {
        return client(endpoint());
    }

    /** A client of this server through {@code endpoint}. */
    public static DynamoDbClient client(String endpoint) {
        return DynamoDbClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, ACCESS_KEY)))
            .build();
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
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temporary file
        }
    }
}
