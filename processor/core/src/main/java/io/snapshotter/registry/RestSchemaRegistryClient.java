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
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API (v7), as spoken by Confluent Schema
 * Registry, Apicurio Registry's {@code /apis/ccompat/v7}, Redpanda and Karapace.
 *
 * <p>What it has seen is cached: a schema by id (ids are immutable) and the id of a schema under a
 * subject; failures are never cached. Its failures tell apart what callers must treat differently:
 * <ul>
 *   <li>{@link RegistryUnavailableException}: connection errors, timeouts, 429 and 5xx answers, after
 *       {@link Settings#maxAttempts()} attempts with exponential backoff and jitter;</li>
 *   <li>{@link RegistryMisconfiguredException}: what answered is not the Confluent API (a 404 without
 *       Confluent's {@code error_code}, a body that is not its JSON, 401, 403);</li>
 *   <li>{@link SchemaNotFoundException}: a 404 with Confluent's {@code error_code} (404xx); for an id,
 *       only after {@value #UNKNOWN_ID_ATTEMPTS} tries within about a second, since a follower of the
 *       registry can lag behind an id just registered on its leader;</li>
 *   <li>{@link UnusableSchemaException}: the schema under an id is not Avro (JSON Schema, Protobuf),
 *       does not parse, or has references that cannot be resolved;</li>
 *   <li>{@link IncompatibleSchemaException}: a 409.</li>
 * </ul>
 * Every call updates {@link #availability()}.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AVRO = "AVRO";
    /** Confluent's error codes of HTTP 404 answers: 40401 subject, 40402 version, 40403 schema not found, ... */
    private static final int FIRST_NOT_FOUND_CODE = 40400;
    private static final int LAST_NOT_FOUND_CODE = 40499;
    private static final int SUBJECT_NOT_FOUND = 40401;
    private static final int SCHEMA_NOT_FOUND = 40403;
    /** Tries of an id the registry does not know yet, 300 ms then 600 ms apart. */
    static final int UNKNOWN_ID_ATTEMPTS = 3;
    private static final Duration UNKNOWN_ID_BACKOFF = Duration.ofMillis(300);

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

    /** A Confluent "not found" answer, with its error code (which callers may tell apart). */
    private static final class ConfluentNotFound extends SchemaNotFoundException {
        private final int errorCode;

        ConfluentNotFound(String message, int errorCode) {
            super(message);
            this.errorCode = errorCode;
        }
    }

    private final Settings settings;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Clock clock;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    private final AtomicReference<Availability> availability;

    public RestSchemaRegistryClient(Settings settings) {
        this(settings, Clock.systemUTC());
    }

    RestSchemaRegistryClient(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        this.authorization = settings.basicAuth()
            .map(userInfo -> "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)))
            .or(() -> settings.bearerToken().map(token -> "Bearer " + token));
        this.availability = new AtomicReference<>(new Availability(true, clock.instant(), null));
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema.toString()), key -> {
            JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "registering " + schema.getFullName() + " under subject '" + subject + "'");
            int id = requiredId(answer, "registering under subject '" + subject + "'");
            schemasById.putIfAbsent(id, schema);
            return id;
        });
    }

    @Override
    public int idOf(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema.toString()), key ->
            requiredId(call("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "looking up " + schema.getFullName() + " under subject '" + subject + "'"),
                "looking up under subject '" + subject + "'"));
    }

    @Override
    public Schema schemaById(int id) {
        Schema known = schemasById.get(id);
        if (known != null) {
            return known;
        }
        String what = "schema id " + id;
        JsonNode answer = unknownIdRetried(() -> call("GET", "/schemas/ids/" + id, null, "fetching " + what));
        return cached(id, avroSchema(answer, what));
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
        } catch (ConfluentNotFound e) {
            if (e.errorCode == SUBJECT_NOT_FOUND) {
                return true;  // a subject without versions accepts any schema
            }
            throw e;
        }
    }

    @Override
    public void setCompatibility(String subject, Compatibility level) {
        call("PUT", "/config/" + encode(subject), "{\"compatibility\":\"" + level + "\"}",
            "setting compatibility of subject '" + subject + "'");
    }

    /** {@code GET /subjects} must answer a JSON array, as the Confluent API does. */
    @Override
    public void check() {
        JsonNode subjects;
        try {
            subjects = call("GET", "/subjects", null, "listing subjects");
        } catch (SchemaNotFoundException e) {
            throw markUnavailable(misconfigured(settings.baseUrl() + " answered GET /subjects with 'not found' ("
                + e.getMessage() + "): " + expectedApi()));
        }
        if (!subjects.isArray()) {
            throw markUnavailable(misconfigured(settings.baseUrl() + " answered GET /subjects with "
                + abbreviated(subjects.toString()) + ", not the JSON array of subject names: " + expectedApi()));
        }
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    private RegisteredSchema registered(String subject, String version) {
        String what = "version " + version + " of subject '" + subject + "'";
        JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null, "fetching " + what);
        int id = requiredId(answer, "fetching " + what);
        Schema schema = schemasById.get(id);
        if (schema == null) {
            schema = cached(id, avroSchema(answer, "schema id " + id + " (" + what + ")"));
        }
        return new RegisteredSchema(subject, answer.path("version").asInt(), id, schema);
    }

    private Schema cached(int id, Schema schema) {
        Schema earlier = schemasById.putIfAbsent(id, schema);
        return earlier == null ? schema : earlier;
    }

    /**
     * The Avro schema of a registry answer ({@code schema}, {@code schemaType}, {@code references}),
     * its references resolved through the registry and parsed first, so their named types are known.
     */
    private Schema avroSchema(JsonNode answer, String what) {
        Schema.Parser parser = new Schema.Parser();
        parseReferences(parser, answer.path("references"), what, new LinkedHashSet<>(), new HashSet<>());
        return parse(parser, answer, what);
    }

    /**
     * Parses each referenced subject version (its own references first) into {@code parser}.
     *
     * @param resolving the references being resolved, outermost first: one seen again is a cycle
     * @param parsed    the references already in {@code parser} (a diamond reaches one twice)
     */
    private void parseReferences(Schema.Parser parser, JsonNode references, String what, Set<String> resolving,
                                 Set<String> parsed) {
        for (JsonNode reference : references) {
            String subject = reference.path("subject").asText();
            String version = reference.path("version").asText();
            String ref = "reference '" + reference.path("name").asText() + "' (subject '" + subject + "' version "
                + version + ") of " + what;
            String key = subject + "/" + version;
            if (parsed.contains(key)) {
                continue;
            }
            if (!resolving.add(key)) {
                throw new UnusableSchemaException("Unusable " + what + ": its references form a cycle through "
                    + String.join(" -> ", resolving) + " -> " + key);
            }
            JsonNode referenced;
            try {
                referenced = call("GET", "/subjects/" + encode(subject) + "/versions/" + encode(version), null,
                    "resolving " + ref);
            } catch (SchemaNotFoundException e) {
                throw new UnusableSchemaException("Unusable " + what + ": " + ref + " cannot be resolved: "
                    + e.getMessage(), e);
            }
            parseReferences(parser, referenced.path("references"), what, resolving, parsed);
            parse(parser, referenced, ref);
            resolving.remove(key);
            parsed.add(key);
        }
    }

    private Schema parse(Schema.Parser parser, JsonNode answer, String what) {
        String type = answer.path("schemaType").asText(AVRO);
        if (!AVRO.equals(type)) {
            throw new UnusableSchemaException(what + " is a " + type + " schema, not Avro");
        }
        JsonNode text = answer.path("schema");
        if (!text.isTextual()) {
            throw markUnavailable(misconfigured(settings.baseUrl() + " answered for " + what + " without the schema text "
                + "(" + abbreviated(answer.toString()) + "): " + expectedApi()));
        }
        try {
            return parser.parse(text.asText());
        } catch (RuntimeException e) {  // SchemaParseException, AvroTypeException, ...
            throw new UnusableSchemaException(what + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    /** Asks again, briefly, for an id the registry does not know: it may just not have reached this follower yet. */
    private JsonNode unknownIdRetried(Supplier<JsonNode> fetch) {
        for (int attempt = 1; ; attempt++) {
            try {
                return fetch.get();
            } catch (ConfluentNotFound e) {
                if (e.errorCode != SCHEMA_NOT_FOUND || attempt == UNKNOWN_ID_ATTEMPTS) {
                    throw e;
                }
                sleep(UNKNOWN_ID_BACKOFF.toMillis() << (attempt - 1));
            }
        }
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
            if (status == 429 || status / 100 == 5) {
                lastFailure = "HTTP " + status + " " + abbreviated(response.body());
                continue;
            }
            JsonNode answer;
            try {
                answer = answer(method, path, status, response.body(), what);
            } catch (RegistryMisconfiguredException e) {
                throw markUnavailable(e);
            } catch (SchemaRegistryException refusal) {
                markAvailable();  // a refusal in the API's own terms: the registry works
                throw refusal;
            }
            markAvailable();
            return answer;
        }
        throw markUnavailable(new RegistryUnavailableException("Schema registry at " + settings.baseUrl()
            + " unreachable while " + what + " (" + settings.maxAttempts() + " attempts; last: " + lastFailure + ")"));
    }

    /** The JSON of an answer that is not transient, or the failure it means. */
    private JsonNode answer(String method, String path, int status, String body, String what) {
        Optional<JsonNode> json = readJson(body);
        if (status / 100 == 2) {
            return json.orElseThrow(() -> misconfigured(settings.baseUrl() + " answered " + method + " " + path
                + " with HTTP " + status + " and a body that is not JSON (" + abbreviated(body) + "): " + expectedApi()));
        }
        if (status == 401 || status == 403) {
            throw misconfigured(settings.baseUrl() + " refused " + what + " with HTTP " + status + " "
                + abbreviated(body) + ": check " + RegistryConfig.BASIC_AUTH + " or " + RegistryConfig.BEARER_TOKEN);
        }
        int code = json.map(error -> error.path("error_code").asInt(0)).orElse(0);
        String message = "Schema registry refused " + what + ": HTTP " + status + " (error " + code + ") "
            + json.map(error -> error.path("message").asText(abbreviated(body))).orElse(abbreviated(body));
        if (status == 404) {
            if (code >= FIRST_NOT_FOUND_CODE && code <= LAST_NOT_FOUND_CODE) {
                throw new ConfluentNotFound(message, code);
            }
            throw misconfigured(settings.baseUrl() + " answered 404 without a Confluent error_code ("
                + method + " " + path + ": " + abbreviated(body) + "): " + expectedApi());
        }
        if (json.isEmpty()) {
            throw misconfigured(settings.baseUrl() + " answered " + what + " with HTTP " + status
                + " and a body that is not JSON (" + abbreviated(body) + "): " + expectedApi());
        }
        if (status == 409) {
            throw new IncompatibleSchemaException(message);
        }
        throw new SchemaRegistryException(message);
    }

    private static String expectedApi() {
        return "is " + RegistryConfig.URL + " the Confluent-compatible API path, e.g. Apicurio's /apis/ccompat/v7?";
    }

    private static RegistryMisconfiguredException misconfigured(String message) {
        return new RegistryMisconfiguredException(message);
    }

    private void markAvailable() {
        availability.updateAndGet(now -> now.available() ? now : new Availability(true, clock.instant(), null));
    }

    private <E extends SchemaRegistryException> E markUnavailable(E failure) {
        availability.updateAndGet(now -> new Availability(false, now.available() ? clock.instant() : now.since(),
            failure.getMessage()));
        return failure;
    }

    private int requiredId(JsonNode answer, String what) {
        JsonNode id = answer.path("id");
        if (!id.isInt()) {
            throw markUnavailable(misconfigured(settings.baseUrl() + " answered " + what + " without a schema id ("
                + abbreviated(answer.toString()) + "): " + expectedApi()));
        }
        return id.asInt();
    }

    private void sleepBeforeRetry(int attempt) {
        long base = settings.backoff().toMillis() << Math.min(attempt - 2, 16);
        sleep(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
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

    /** The body as JSON; empty when it is not JSON (an HTML error page, an empty body). */
    private static Optional<JsonNode> readJson(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json == null || json.isMissingNode() ? Optional.empty() : Optional.of(json);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
