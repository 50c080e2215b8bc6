package io.snapshotter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server (the JDK's {@link HttpServer}): binds at once, so the port is known before Kafka
 * Streams is told its {@code application.server}, and serves once given its routes. Every request
 * is timed in {@value #REQUESTS_TIMER}, tagged with method, route template and status.
 */
public final class ApiServer implements AutoCloseable {

    /** Latency of HTTP requests, by method, route and status. */
    public static final String REQUESTS_TIMER = "http.server.requests";

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /**
     * The JDK server writes a response's headers and body as separate segments; with Nagle's
     * algorithm on, the body waits for the client's delayed ACK (about 40 ms per request). The
     * server reads this property once, when the first one is created.
     */
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";
    private static final String UNMATCHED = "unmatched";

    private final HttpServer server;
    private final ExecutorService executor;
    private final MeterRegistry meters;

    private ApiServer(HttpServer server, ExecutorService executor, MeterRegistry meters) {
        this.server = server;
        this.executor = executor;
        this.meters = meters;
    }

    /** Binds {@code host:port} (port 0: a free one); requests wait in the backlog until {@link #start}. */
    public static ApiServer bind(String host, int port, int threads, MeterRegistry meters) throws IOException {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ExecutorService executor = Executors.newFixedThreadPool(threads, factory);
        server.setExecutor(executor);
        return new ApiServer(server, executor, meters);
    }

    /** The port the server is bound to. */
    public int port() {
        return server.getAddress().getPort();
    }

    void start(Routes routes) {
        server.createContext("/", exchange -> serve(routes, exchange));
        server.start();
    }

    private void serve(Routes routes, HttpExchange exchange) {
        long started = System.nanoTime();
        String route = UNMATCHED;
        ApiResponse response;
        try {
            Routes.Match match = routes.match(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath());
            if (match.template() != null) {
                route = match.template();
            }
            if (match.handler() == null) {
                response = match.allowed().isEmpty()
                    ? ApiResponse.error(404, "no such endpoint: " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getRawPath())
                    : ApiResponse.error(405, exchange.getRequestMethod() + " is not allowed here")
                        .withHeader("Allow", String.join(", ", match.allowed()));
            } else {
                response = match.handler().handle(new ApiRequest(exchange, match.template(), match.params()));
            }
        } catch (ApiException e) {
            response = e.toResponse();
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            response = ApiResponse.error(500, "internal error: " + e);
        }
        // timed up to the response, before it is written: a client holding the answer finds it counted
        Timer.builder(REQUESTS_TIMER)
            .description("HTTP requests, by method, route template and status")
            .tags("method", exchange.getRequestMethod(), "route", route, "status", Integer.toString(response.status()))
            .publishPercentileHistogram()
            .register(meters)
            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        send(exchange, response);
    }

    private static void send(HttpExchange exchange, ApiResponse response) {
        try (exchange) {
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            if (response.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", response.contentType());
            }
            boolean empty = response.body().length == 0 || exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(response.status(), empty ? -1 : response.body().length);
            if (!empty) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        } catch (IOException e) {
            LOG.debug("Could not send the response to {}: {}", exchange.getRemoteAddress(), e.getMessage());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
