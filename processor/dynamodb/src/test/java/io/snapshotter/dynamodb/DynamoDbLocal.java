package io.snapshotter.dynamodb;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local 2.6.1 in this JVM on a free loopback port, with its database in a temporary
 * directory (and {@code -sharedDb}, so every credential sees the same tables): it can be stopped
 * and started again on the same port with its data, to play an outage.
 */
public final class DynamoDbLocal implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private DynamoDBProxyServer server;

    private DynamoDbLocal(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    public static DynamoDbLocal start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        DynamoDbLocal local = new DynamoDbLocal(Files.createTempDirectory("dynamodb-local-"), port);
        local.resume();
        return local;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The processor's settings to write its snapshots here, creating the table: the credentials {@link #client()} uses. */
    public Map<String, String> processorSettings() {
        return Map.of("dynamodb.enabled", "true", "dynamodb.endpoint", endpoint(),
            "dynamodb.access.key.id", "local", "dynamodb.secret.access.key", "local", "dynamodb.table.create", "true");
    }

    public DynamoDbClient client() {
        return DynamoDbClient.builder()
            .endpointOverride(URI.create(endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .build();
    }

    /** Stops the server; its data stays on disk for {@link #resume()}. */
    public void stop() throws Exception {
        server.stop();
        server = null;
    }

    public void resume() throws Exception {
        server = ServerRunner.createServerFromCommandLineArgs(new String[] {
            "-dbPath", dataDir.toString(), "-sharedDb", "-disableTelemetry", "-port", Integer.toString(port)});
        server.start();
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            stop();
        }
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the OS cleans up what is left
        }
    }
}
