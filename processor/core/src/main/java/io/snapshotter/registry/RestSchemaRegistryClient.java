package io.snapshotter.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API (v7), as spoken by Confluent Schema
 * Registry, Apicurio Registry's {@code /apis/ccompat/v7}, Redpanda and Karapace.
 *
 * <p>What it has seen is cached: a schema by id (ids are immutable) and the id of a schema under a
 * subject. Transient failures (connection errors, timeouts, 429 and 5xx answers) are retried with
 * exponential backoff and jitter up to {@link Settings#maxAttempts()}; other errors are raised at
 * once, naming the subject or id.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param baseUrl        e.g. {@code http://registry:8081} or {@code http://apicurio:8080/apis/ccompat/v7}
     * @param basicAuth      {@code user:password} for HTTP basic authentication, if any
     * @param bearerToken    a bearer token, if any (basic auth wins when both are set)
     * @param requestTimeout timeout of one HTTP request
     * @param maxAttempts    attempts of one call before a transient failure is raised
     * @param backoff        first retry delay, doubled for each further retry
     */
    public record Settings(URI baseUrl, Optional<String> basicAuth, Optional<String> bearerToken,
                           Duration requestTimeout, int maxAttempts, Duration backoff) {

        public Settings {
            String url = baseUrl.toString();
            baseUrl = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
        }

        public static Settings of(String baseUrl) {
            return new Settings(URI.create(baseUrl), Optional.empty(), Optional.empty(), Duration.ofSeconds(10), 5,
                Duration.ofMillis(100));
        }
    }

    private record SubjectSchema(String subject, String schema) { }

    private final Settings settings;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.authorization = settings.basicAuth()
            .map(userInfo -> "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)))
            .or(() -> settings.bearerToken().map(token -> "Bearer " + token));
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema.toString()), key -> {
            JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "registering " + schema.getFullName() + " under subject '" + subject + "'");
            int id = answer.path("id").asInt();
            schemasById.putIfAbsent(id, schema);
            return id;
        });
    }

    @Override
    public int idOf(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema.toString()), key ->
            call("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "looking up " + schema.getFullName() + " under subject '" + subject + "'").path("id").asInt());
    }

    @Override
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, key ->
            parse(call("GET", "/schemas/ids/" + id, null, "fetching schema id " + id).path("schema").asText(),
                "schema id " + id));
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return registered(subject, "latest");
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return registered(subject, Integer.toString(version));
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            return call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema),
                "checking " + schema.getFullName() + " against subject '" + subject + "'")
                .path("is_compatible").asBoolean();
        } catch (SchemaNotFoundException e) {
            return true;  // a subject without versions accepts any schema
        }
    }

    @Override
    public void setCompatibility(String subject, Compatibility level) {
        call("PUT", "/config/" + encode(subject), "{\"compatibility\":\"" + level + "\"}",
            "setting compatibility of subject '" + subject + "'");
    }

    private RegisteredSchema registered(String subject, String version) {
        JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null,
            "fetching version " + version + " of subject '" + subject + "'");
        int id = answer.path("id").asInt();
        Schema schema = schemasById.computeIfAbsent(id, key -> parse(answer.path("schema").asText(), "schema id " + id));
        return new RegisteredSchema(subject, answer.path("version").asInt(), id, schema);
    }

    /** One API call with bounded retries of transient failures; {@code what} names it in errors. */
    private JsonNode call(String method, String path, String body, String what) {
        URI uri = URI.create(settings.baseUrl() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
            .header("Accept", CONTENT_TYPE)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        authorization.ifPresent(value -> request.header("Authorization", value));
        String lastFailure = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            if (attempt > 1) {
                sleepBeforeRetry(attempt);
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastFailure = e.toString();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("Interrupted while " + what);
            }
            int status = response.statusCode();
            if (status / 100 == 2) {
                return readJson(response.body(), what);
            }
            if (status == 429 || status / 100 == 5) {
                lastFailure = "HTTP " + status + " " + response.body();
                continue;
            }
            throw failure(status, response.body(), what);
        }
        throw new SchemaRegistryException("Schema registry at " + settings.baseUrl() + " unreachable while " + what
            + " (" + settings.maxAttempts() + " attempts; last: " + lastFailure + ")");
    }

    private SchemaRegistryException failure(int status, String body, String what) {
        JsonNode error = readJsonQuietly(body);
        int code = error.path("error_code").asInt(status);
        String message = "Schema registry refused " + what + ": HTTP " + status + " (error " + code + ") "
            + error.path("message").asText(body);
        if (status == 404) {
            return new SchemaNotFoundException(message);
        }
        if (status == 409) {
            return new IncompatibleSchemaException(message);
        }
        return new SchemaRegistryException(message);
    }

    private void sleepBeforeRetry(int attempt) {
        long base = settings.backoff().toMillis() << Math.min(attempt - 2, 16);
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        try {
            Thread.sleep(jittered);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted while waiting to retry a registry call");
        }
    }

    private static String schemaBody(Schema schema) {
        try {
            return JSON.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readJson(String body, String what) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("Schema registry answered " + what + " with invalid JSON: " + body, e);
        }
    }

    private static JsonNode readJsonQuietly(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }

    private static Schema parse(String schema, String what) {
        try {
            return new Schema.Parser().parse(schema);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException("Schema registry returned an unparsable " + what + ": " + e.getMessage(), e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
