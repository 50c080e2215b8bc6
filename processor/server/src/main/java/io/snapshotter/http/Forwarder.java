package io.snapshotter.http;

import io.snapshotter.query.Instance;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Forwards a lookup to the instance that owns the key and relays its answer. The forwarded request
 * carries {@link ApiHeaders#FORWARDED_BY}, so the owner answers it itself or not at all.
 */
final class Forwarder {

    /** Response headers of the owner that are relayed to the caller. */
    private static final List<String> RELAYED = List.of("Retry-After", ApiHeaders.SERVED_BY, ApiHeaders.REPLICA,
        ApiHeaders.LAG, ApiHeaders.CORRELATION_ID);

    private final HttpClient client;
    private final Instance self;
    private final Duration timeout;

    /**
     * @param connectTimeout how long connecting to an owner may take: short, so that a gone owner does
     *                       not hold an HTTP thread for the whole {@code timeout}
     * @param timeout        how long the owner may take to answer
     */
    Forwarder(Instance self, Duration connectTimeout, Duration timeout) {
        this.self = self;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    }

    /**
     * GETs {@code rawPathAndQuery} from {@code owner}.
     *
     * @throws IOException when the owner cannot be reached or does not answer in time
     */
    ApiResponse get(Instance owner, String rawPathAndQuery) throws IOException, InterruptedException {
        return relayed(client.send(request(owner, rawPathAndQuery), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /**
     * GETs {@code rawPathAndQuery} from {@code instance} without waiting, so that several instances can be
     * asked at once; the future fails with an {@link IOException} as {@link #get} would throw it.
     */
    CompletableFuture<ApiResponse> getAsync(Instance instance, String rawPathAndQuery) {
        return client.sendAsync(request(instance, rawPathAndQuery), HttpResponse.BodyHandlers.ofByteArray())
            .thenApply(Forwarder::relayed);
    }

    private HttpRequest request(Instance instance, String rawPathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://" + instance + rawPathAndQuery))
            .timeout(timeout)
            .header(ApiHeaders.FORWARDED_BY, self.toString())
            .header("Accept", Json.CONTENT_TYPE)
            .GET()
            .build();
    }

    private static ApiResponse relayed(HttpResponse<byte[]> response) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : RELAYED) {
            response.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
        }
        String contentType = response.headers().firstValue("Content-Type").orElse(Json.CONTENT_TYPE);
        return new ApiResponse(response.statusCode(), response.body(), contentType, headers);
    }
}
