package io.snapshotter.testkit;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * An open-source DynamoDB-compatible server for the tests and the benchmarks: moto's server mode (Apache-2.0),
 * {@code python3 -m moto.server}, as a child process on a free loopback port, in memory, started
 * through {@code moto_server.py} beside this class, which makes a Query read its partition instead
 * of sorting the whole table first (same results; moto's own cost grew with the table). The Python
 * interpreter is {@code python3} unless the system property {@code moto.python} names another;
 * {@code .ci/run} installs moto where it is missing. Outages are played through a
 * {@link FaultProxy} in front of it, not by stopping it (its data is in memory). Its clients need the
 * AWS SDK's {@code dynamodb} module on the class path: an optional dependency of the test kit.
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
        return start(Map.of());
    }

    /**
     * A server that checks credentials and permissions as IAM does (moto's access control), once
     * {@link #credentialsAllowing} has made the one user it knows: until then (the readiness check and
     * that user's three IAM calls) it lets every request through.
     */
    public static DynamoDbServer startWithAccessControl() throws IOException, InterruptedException {
        return start(Map.of("INITIAL_NO_AUTH_ACTION_COUNT", "4"));
    }

    private static DynamoDbServer start(Map<String, String> environment) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("moto-server-", ".log");
        String python = System.getProperty("moto.python", "python3");
        Path launcher = Files.createTempFile("moto-server-", ".py");
        launcher.toFile().deleteOnExit();
        try (var script = DynamoDbServer.class.getResourceAsStream("moto_server.py")) {
            Files.write(launcher, script.readAllBytes());
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(python, launcher.toString(), "-H", "127.0.0.1",
            "-p", Integer.toString(port)));
        builder.environment().putAll(environment);
        Process process = builder
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

    /** The server's process: its CPU time, for a benchmark to tell whether moto is what limits it. */
    public ProcessHandle processHandle() {
        return process.toHandle();
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

    /**
     * On a server {@link #startWithAccessControl() with access control}: the access key of a new IAM
     * user allowed {@code actions} (such as {@code dynamodb:DescribeTable}) and nothing else. Made
     * with moto's IAM API in the calls it lets through unchecked, so once per server.
     */
    public AwsBasicCredentials credentialsAllowing(String... actions) throws IOException, InterruptedException {
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
            + Arrays.stream(actions).map(action -> "\"" + action + "\"").collect(Collectors.joining(","))
            + "],\"Resource\":\"*\"}]}";
        iam("CreateUser&UserName=writer");
        iam("PutUserPolicy&UserName=writer&PolicyName=writer&PolicyDocument="
            + URLEncoder.encode(policy, StandardCharsets.UTF_8));
        String key = iam("CreateAccessKey&UserName=writer");
        return AwsBasicCredentials.create(element(key, "AccessKeyId"), element(key, "SecretAccessKey"));
    }

    /** An IAM Query API call, unsigned: moto tells the service from the credential scope. */
    private String iam(String action) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(endpoint() + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY
                    + "/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString("Action=" + action + "&Version=2010-05-08"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("moto's IAM refused " + action + ": " + response.body());
        }
        return response.body();
    }

    private static String element(String xml, String name) {
        int start = xml.indexOf("<" + name + ">") + name.length() + 2;
        return xml.substring(start, xml.indexOf("</" + name + ">", start));
    }

    /** As {@link #processorSettings()}, with {@code credentials}. */
    public Map<String, String> processorSettings(AwsBasicCredentials credentials) {
        Map<String, String> settings = new HashMap<>(processorSettings());
        settings.put("dynamodb.access.key.id", credentials.accessKeyId());
        settings.put("dynamodb.secret.access.key", credentials.secretAccessKey());
        return settings;
    }

    public DynamoDbClient client() {
        return client(endpoint());
    }

    /** What {@link #intercepting} hands each call: the method's name and arguments, and the real client's call. */
    public interface Interceptor {
        Object call(String method, Object[] args, RealCall real) throws Throwable;
    }

    /** The real client's answer to the intercepted call. */
    public interface RealCall {
        Object call() throws Throwable;
    }

    /**
     * {@code real} with every call going through {@code interceptor} first, which may answer it
     * itself (throttling, say, which moto never does) or pass it on: for what no real server gives.
     */
    public static DynamoDbClient intercepting(DynamoDbClient real, Interceptor interceptor) {
        return (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
            new Class<?>[] {DynamoDbClient.class}, (proxy, method, args) -> interceptor.call(method.getName(), args, () -> {
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }));
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
