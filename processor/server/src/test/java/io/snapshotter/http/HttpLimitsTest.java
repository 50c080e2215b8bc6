package io.snapshotter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapshotter.http.ApiFixture.Api;
import io.snapshotter.http.ApiFixture.FakeRequests;
import io.snapshotter.query.AggregateListing;
import io.snapshotter.query.AggregateLookup;
import io.snapshotter.query.AggregateLookup.NotFound;
import io.snapshotter.query.AggregateLookup.ServedFrom;
import io.snapshotter.query.AggregateQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * However busy the lookups are, the probes answer on threads of their own, and a lookup that finds
 * every lookup thread busy and the queue full is answered 503 at once, never held.
 */
@Timeout(120)
class HttpLimitsTest {

    @RegisterExtension
    final ApiFixture fixture = new ApiFixture();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void shouldAnswerProbesAnd503sWhileEveryLookupThreadIsBusyAndTheQueueIsFull() throws Exception {
        BlockedLookups queries = new BlockedLookups();
        HttpSettings settings = HttpSettings.from(Map.of(HttpSettings.HOST, "127.0.0.1", HttpSettings.PORT, 0,
            HttpSettings.THREADS, 1, HttpSettings.QUEUE_SIZE, 1, HttpSettings.RETRY_AFTER_SECONDS, 3));
        Api api = fixture.start(settings, queries, Optional.empty(), Optional.empty(), new FakeRequests());
        try {
            CompletableFuture<HttpResponse<String>> held = getAsync(api, "/aggregates/item-1");
            queries.entered.await();
            CompletableFuture<HttpResponse<String>> queued = getAsync(api, "/aggregates/item-2");
            waitUntil(() -> api.meters().get("executor.queued").tag("name", ApiServer.LOOKUP_POOL).gauge().value() == 1);

            HttpResponse<String> refused = fixture.get(api, "/aggregates/item-3");
            HttpResponse<String> health = fixture.get(api, "/health");
            HttpResponse<String> ready = fixture.get(api, "/ready");
            HttpResponse<String> metrics = fixture.get(api, "/metrics");

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("3");
            ApiFixture.problem(refused, Problem.OVERLOADED);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("executor_queued_tasks{application=\"http-test\",name=\"http-lookups\"} 1.0");
            assertThat(held).isNotDone();
            assertThat(queued).isNotDone();

            queries.release.countDown();
            assertThat(held.get().statusCode()).isEqualTo(404);
            assertThat(queued.get().statusCode()).isEqualTo(404);
        } finally {
            queries.release.countDown();
        }
    }

    private CompletableFuture<HttpResponse<String>> getAsync(Api api, String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(api.base() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(10);
        }
    }

    /** Every lookup waits until {@link #release}d; {@link #entered} once the first has started. */
    private static final class BlockedLookups implements AggregateQueries {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public AggregateLookup lookup(String aggregateId, Routing routing) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new NotFound(ServedFrom.ACTIVE);
        }

        @Override
        public Readiness readiness() {
            return new Readiness(true, "RUNNING", "Kafka Streams is RUNNING");
        }

        @Override
        public AggregateListing.Placement placement() {
            return new AggregateListing.NotPlaced("not listed here");
        }

        @Override
        public AggregateListing list(AggregateListing.Query query, Set<Integer> partitions) {
            return new AggregateListing.NotReady("not listed here");
        }
    }
}
