package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeQueries;
import io.snapshotter.metrics.ProcessorMeters;
import io.snapshotter.query.AggregateLookup;
import io.snapshotter.query.AggregateQueries;
import io.snapshotter.query.AggregateQueries.Readiness;
import io.snapshotter.query.Instance;
import io.snapshotter.query.InteractiveQueries;
import io.snapshotter.query.StreamsLifecycle;
import io.snapshotter.registry.InMemorySchemaRegistry;
import io.snapshotter.registry.RegistryUnavailableException;
import io.snapshotter.registry.RestSchemaRegistryClient;
import io.snapshotter.topology.SnapshotTopology;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code /health}, {@code /ready}, {@code /metrics}, and what any route answers: 404, 405, timing. */
class OpsEndpointsTest {

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    @TempDir
    Path stateDir;

    @Test
    void shouldAnswerHealthWhileTheProcessIsUpEvenWhenNotReady() {
        FakeQueries queries = new FakeQueries();
        queries.readiness = new Readiness(false, "REBALANCING", "Kafka Streams is REBALANCING");

        HttpResponse<String> response = fixture.get(fixture.start(queries), "/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"");
    }

    @Test
    void shouldAnswerReadyOr503WithRetryAfterAndTheReason() {
        FakeQueries queries = new FakeQueries();
        Api api = fixture.start(queries);
        queries.readiness = new Readiness(false, "REBALANCING", "Kafka Streams is REBALANCING, not yet RUNNING since the start");

        HttpResponse<String> notReady = fixture.get(api, "/ready");
        queries.readiness = new Readiness(true, "REBALANCING", "Kafka Streams is REBALANCING");
        HttpResponse<String> ready = fixture.get(api, "/ready");

        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.headers().firstValue("Retry-After")).isPresent();
        assertThat(notReady.body()).contains("not yet RUNNING since the start");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"READY\"").contains("\"kafkaStreams\":\"REBALANCING\"");
    }

    @Test
    void shouldListTheComponentsAndNameAnUnreachableSchemaRegistry() {
        String url = "http://127.0.0.1:" + ApiFixture.closedPort();
        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(new RestSchemaRegistryClient.Settings(
            URI.create(url), Optional.empty(), Optional.empty(), Duration.ofSeconds(1), 1, Duration.ofMillis(1)));
        ProcessorConfig config = new ProcessorConfig(Map.of("kafka.bootstrap.servers", "localhost:1",
            "kafka.application.id", "ready-test", "kafka.state.dir", stateDir.toString(), "kafka.num.stream.threads", "2"));
        KafkaStreams streams = new KafkaStreams(SnapshotTopology.buildTopology(config.topology(), registry),
            config.streamsProperties());
        try {
            Api api = fixture.start(InteractiveQueries.over(streams, new StreamsLifecycle(2, stateDir),
                new Instance("127.0.0.1", 1), new InteractiveQueries.StandbyReads(false, 0), registry, Optional.empty(), 6));
            String before = fixture.get(api, "/ready").body();
            assertThatThrownBy(registry::check).isInstanceOf(RegistryUnavailableException.class);

            HttpResponse<String> response = fixture.get(api, "/ready");

            assertThat(before).contains("\"schemaRegistry\":{\"status\":\"AVAILABLE\"");
            assertThat(response.statusCode()).isEqualTo(503);  // Kafka Streams was never started
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(response.body())
                .contains("\"reason\":\"Kafka Streams is CREATED, not yet RUNNING since the start; schema registry "
                    + "unreachable since " + registry.availability().since())
                .contains("\"streamThreads\":{\"alive\":2,\"configured\":2}")
                .contains("\"stateDirectory\":{\"path\":\"" + stateDir + "\",\"freeBytes\":")
                .contains("\"schemaRegistry\":{\"status\":\"UNAVAILABLE\",\"since\":\"" + registry.availability().since())
                .contains("\"lastError\":\"Schema registry at " + url + " unreachable");
        } finally {
            streams.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldServePrometheusTextWithKafkaStreamsJvmAndHttpMetrics() throws Exception {
        Api api = fixture.start(new FakeQueries());
        ProcessorConfig config = new ProcessorConfig(Map.of("kafka.bootstrap.servers", "localhost:1",
            "kafka.application.id", "metrics-test", "kafka.state.dir", stateDir.toString()));
        KafkaStreams streams = new KafkaStreams(SnapshotTopology.buildTopology(config.topology(), new InMemorySchemaRegistry()),
            config.streamsProperties());
        try (AutoCloseable bound = ProcessorMeters.bindKafkaStreams(streams, api.meters())) {
            fixture.get(api, "/aggregates/item-404");

            HttpResponse<String> response = fixture.get(api, "/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(response.body())
                .contains("kafka_stream_alive_stream_threads{")
                .contains("kafka_stream_client_state{")
                .contains("jvm_memory_used_bytes{")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*route=\"/aggregates/\\{aggregateId}\""
                    + "[^}]*status=\"404\"[^}]*} 1");
        } finally {
            streams.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldTimeEveryRequestByMethodRouteAndStatus() {
        Api api = fixture.start(new FakeQueries());

        fixture.get(api, "/aggregates/item-1");
        fixture.get(api, "/aggregates/item-2");
        fixture.get(api, "/nowhere");
        fixture.get(api, "/elsewhere");

        assertThat(api.meters().get(ApiServer.REQUESTS_TIMER)
            .tags("method", "GET", "route", "/aggregates/{aggregateId}", "status", "404").timer().count()).isEqualTo(2);
        assertThat(api.meters().get(ApiServer.REQUESTS_TIMER).tags("route", "unmatched").timer().count()).isEqualTo(2);
    }

    @Test
    void shouldTagMethodsItDoesNotKnowAsOtherSoClientsCannotMakeMeters() {
        Api api = fixture.start(new FakeQueries());

        fixture.send(api, "FROBNICATE", "/aggregates/item-1");
        fixture.send(api, "BREW", "/aggregates/item-1");
        fixture.send(api, "DELETE", "/aggregates/item-1");

        assertThat(api.meters().find(ApiServer.REQUESTS_TIMER).timers())
            .extracting(timer -> timer.getId().getTag("method")).containsOnly("OTHER", "DELETE");
        assertThat(api.meters().get(ApiServer.REQUESTS_TIMER).tags("method", "OTHER", "status", "405").timer().count())
            .isEqualTo(2);
    }

    @Test
    void shouldAnswerAFailureWithACorrelationIdInsteadOfTheExceptionsText() {
        FakeQueries failing = new FakeQueries();
        failing.failure = new IllegalStateException("db-7.internal:5432 refused the connection");
        Api api = fixture.start(failing);

        HttpResponse<String> response = fixture.get(api, "/aggregates/item-1");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problem.CONTENT_TYPE);
        assertThat(response.body()).doesNotContain("db-7", "IllegalStateException", "refused")
            .contains("\"type\":\"" + Problem.BASE + "internal-error\"");
        assertThat(response.headers().firstValue(ApiHeaders.CORRELATION_ID)).hasValueSatisfying(id ->
            assertThat(response.body()).contains("\"correlationId\":\"" + id + "\""));
    }

    @Test
    void shouldAnswer404ForAnUnknownPathAnd405ForAWrongMethod() {
        Api api = fixture.start(new FakeQueries());

        HttpResponse<String> unknown = fixture.get(api, "/aggregate/item-1");
        HttpResponse<String> wrongMethod = fixture.post(api, "/aggregates/item-1", "");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no such endpoint");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
    }
}
