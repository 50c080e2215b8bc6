package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.snapshotter.admin.SnapshotRequests;
import io.snapshotter.console.Assignments;
import io.snapshotter.console.ConsoleSources;
import io.snapshotter.console.RecentActivity;
import io.snapshotter.domain.inventory.state.InventoryItemState;
import io.snapshotter.domain.inventory.state.ItemStatus;
import io.snapshotter.metrics.ProcessorMeters;
import io.snapshotter.query.AggregateListing;
import io.snapshotter.query.AggregateLookup;
import io.snapshotter.query.AggregateLookup.Found;
import io.snapshotter.query.AggregateLookup.NotFound;
import io.snapshotter.query.AggregateLookup.NotReady;
import io.snapshotter.query.AggregateLookup.OnAnotherInstance;
import io.snapshotter.query.AggregateLookup.ServedFrom;
import io.snapshotter.query.AggregateQueries;
import io.snapshotter.query.AggregateView;
import io.snapshotter.query.Instance;
import io.snapshotter.snapshot.SnapshotRetention;
import io.snapshotter.snapshot.SnapshotHistory;
import io.snapshotter.topology.SnapshotRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The HTTP API on loopback, served from fakes: queries that answer as told, a snapshot store, a
 * retention sweep and a snapshot request sink. Servers started by a test are closed after it:
 * {@code @RegisterExtension final ApiFixture api = new ApiFixture();}.
 */
final class ApiFixture implements AfterEachCallback {

    static final String TOKEN = "the-admin-token";
    static final String PRINCIPAL = "ops-team";
    static final int RETRY_AFTER = 7;
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Instant AT = Instant.parse("2026-03-01T11:00:00Z");
    static final InventoryItemState STATE = new InventoryItemState("item-1", "SKU-1", "Widget", "wh-1", 7L, 10L, 3L,
        ItemStatus.ACTIVE, null, AT);

    private final List<ApiServer> servers = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One running API and the fakes behind it. */
    record Api(URI base, Instance self, AggregateQueries queries, FakeRequests requests, PrometheusMeterRegistry meters) {
    }

    Api start(AggregateQueries queries) {
        return start(queries, Optional.of(TOKEN), Optional.empty(), Optional.empty(), new FakeRequests());
    }

    Api start(AggregateQueries queries, Optional<String> token, Optional<SnapshotHistory> store,
              Optional<SnapshotRetention> retention, FakeRequests requests) {
        return start(queries, token, store, retention, requests, console());
    }

    Api start(AggregateQueries queries, Optional<String> token, Optional<SnapshotHistory> store,
              Optional<SnapshotRetention> retention, FakeRequests requests, ConsoleSources console) {
        Map<String, Object> values = new HashMap<>(Map.of(HttpSettings.HOST, "127.0.0.1", HttpSettings.PORT, 0,
            HttpSettings.THREADS, 4, HttpSettings.RETRY_AFTER_SECONDS, RETRY_AFTER,
            HttpSettings.ADMIN_PRINCIPAL, PRINCIPAL));
        token.ifPresent(t -> values.put(HttpSettings.ADMIN_TOKEN, t));
        return start(HttpSettings.from(values), queries, store, retention, requests, console);
    }

    /** The API with {@code settings} (bound to their host and port), over these sources. */
    Api start(HttpSettings settings, AggregateQueries queries, Optional<SnapshotHistory> store,
              Optional<SnapshotRetention> retention, FakeRequests requests) {
        return start(settings, queries, store, retention, requests, console());
    }

    /** The console's sources when a test is not about the console: no peers, no activity, no writer. */
    static ConsoleSources console() {
        return new ConsoleSources(new FakeAssignments(), new RecentActivity(Clock.fixed(NOW, ZoneOffset.UTC)),
            Optional.empty(), Optional.empty());
    }

    private Api start(HttpSettings settings, AggregateQueries queries, Optional<SnapshotHistory> store,
                      Optional<SnapshotRetention> retention, FakeRequests requests, ConsoleSources console) {
        PrometheusMeterRegistry meters = ProcessorMeters.newRegistry("http-test");
        try {
            ApiServer server = ApiServer.bind(settings, meters);
            servers.add(server);
            Instance self = new Instance("127.0.0.1", server.port());
            HttpApi.Sources sources = new HttpApi.Sources(self, queries, store, retention, requests, meters, console);
            server.start(HttpApi.routes(settings, sources, Clock.fixed(NOW, ZoneOffset.UTC)));
            return new Api(URI.create("http://" + self), self, queries, requests, meters);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(Api api, String rawPath, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(api.base() + rawPath)).GET(), headers);
    }

    HttpResponse<String> post(Api api, String rawPath, String body, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(api.base() + rawPath))
            .POST(HttpRequest.BodyPublishers.ofString(body)), headers);
    }

    /** A request without a body, with any method name. */
    HttpResponse<String> send(Api api, String method, String rawPath) {
        return send(HttpRequest.newBuilder(URI.create(api.base() + rawPath)).method(method,
            HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The response's body as a problem of {@code type}, once checked: status, content type, type URI,
     * title, instance (the request path), and a correlation id (the header's) exactly when a 5xx.
     */
    static JsonNode problem(HttpResponse<String> response, Problem type) {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(type.status());
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problem.CONTENT_TYPE);
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
        assertThat(body.path("type").asText()).isEqualTo(type.type().toString());
        assertThat(body.path("title").asText()).isEqualTo(type.title());
        assertThat(body.path("status").asInt()).isEqualTo(type.status());
        assertThat(body.path("detail").asText()).isNotBlank();
        assertThat(body.path("instance").asText()).isEqualTo(response.uri().getRawPath());
        if (type.status() >= 500) {
            assertThat(body.path("correlationId").asText()).isNotBlank();
            assertThat(response.headers().firstValue(ApiHeaders.CORRELATION_ID)).hasValue(body.path("correlationId").asText());
        } else {
            assertThat(body.has("correlationId")).as("a correlation id on a %s", type.status()).isFalse();
        }
        return body;
    }

    /** A loopback port nothing listens on. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static AggregateView aggregate(String aggregateId, long version, long eventsSinceSnapshot) {
        return new AggregateView(aggregateId, "InventoryItem", version, "event-" + version, AT, eventsSinceSnapshot,
            version - eventsSinceSnapshot, STATE, null);
    }

    static Found found(String aggregateId, long version, long eventsSinceSnapshot) {
        return new Found(aggregate(aggregateId, version, eventsSinceSnapshot), ServedFrom.ACTIVE);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        servers.forEach(ApiServer::close);
        servers.clear();
    }

    /**
     * Answers lookups as told: {@link #answers} for clients' lookups (default: not found here),
     * {@link #localAnswers} for local-only ones (default: the same, unless the key is elsewhere,
     * then not ready). Records the routings asked for.
     */
    static final class FakeQueries implements AggregateQueries {
        final Map<String, AggregateLookup> answers = new ConcurrentHashMap<>();
        final Map<String, AggregateLookup> localAnswers = new ConcurrentHashMap<>();
        final List<Routing> routings = new CopyOnWriteArrayList<>();
        volatile Readiness readiness = new Readiness(true, "RUNNING", "ready");
        /** Thrown by every lookup while set. */
        volatile RuntimeException failure;
        volatile AggregateListing.Placement placement = new AggregateListing.NotPlaced("not told");
        volatile AggregateListing listing = new AggregateListing.Page(List.of(), false);
        final List<AggregateListing.Query> listed = new CopyOnWriteArrayList<>();

        @Override
        public AggregateLookup lookup(String aggregateId, Routing routing) {
            routings.add(routing);
            if (failure != null) {
                throw failure;
            }
            AggregateLookup answer = answers.getOrDefault(aggregateId, new NotFound(ServedFrom.ACTIVE));
            if (routing == Routing.LOCAL_ONLY) {
                return localAnswers.getOrDefault(aggregateId, answer instanceof OnAnotherInstance elsewhere
                    ? new NotReady("partition 3 is owned by " + elsewhere.owner()) : answer);
            }
            return answer;
        }

        @Override
        public Readiness readiness() {
            return readiness;
        }

        @Override
        public AggregateListing.Placement placement() {
            return placement;
        }

        @Override
        public AggregateListing list(AggregateListing.Query query, Set<Integer> partitions) {
            listed.add(query);
            return listing;
        }
    }

    /** Answers what it is told: {@link #state}, {@link #members}, {@link #tasks}. */
    static final class FakeAssignments implements Assignments {
        volatile String state = "RUNNING";
        volatile List<Member> members = List.of();
        volatile List<Task> tasks = List.of();

        @Override
        public String state() {
            return state;
        }

        @Override
        public List<Member> members() {
            return members;
        }

        @Override
        public List<Task> localTasks() {
            return tasks;
        }
    }

    /** Keeps the snapshot requests written; fails them while {@link #failure} is set. */
    static final class FakeRequests implements SnapshotRequests {
        final Map<String, SnapshotRequest> written = new ConcurrentHashMap<>();
        volatile RuntimeException failure;

        @Override
        public void submit(String aggregateId, SnapshotRequest request) {
            if (failure != null) {
                throw new SnapshotRequestFailedException("broker down", failure);
            }
            written.put(aggregateId, request);
        }
    }
}
