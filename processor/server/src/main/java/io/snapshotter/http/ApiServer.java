package io.snapshotter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server (the JDK's {@link HttpServer}): binds at once, so the port is known before Kafka
 * Streams is told its {@code application.server}, and serves once given its routes. Every request
 * is timed in {@value #REQUESTS_TIMER}, tagged with method, route template and status, each from a
 * bounded set.
 *
 * <p>Two kinds of threads. The server's own ({@code http-N}, one per request being read, at most
 * {@value #MAX_CONNECTIONS_DEFAULT} connections) read each request and answer the probe routes
 * ({@code /health}, {@code /ready}, {@code /metrics}) themselves, so probes never wait behind
 * lookups. Every other request goes to {@code http.threads} lookup threads ({@code http-lookup-N})
 * through a queue of {@code http.queue.size}; when it is full the request is answered 503 with
 * Retry-After at once. A client gets {@value #MAX_REQUEST_SECONDS_DEFAULT} s to send its request
 * (headers and body); then its connection is closed.
 */
public final class ApiServer implements AutoCloseable {

    /** Latency of HTTP requests, by method, route and status. */
    public static final String REQUESTS_TIMER = "http.server.requests";
    /** The lookup threads' pool, as named in Micrometer's {@code executor_*} metrics. */
    static final String LOOKUP_POOL = "http-lookups";

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /**
     * The JDK server writes a response's headers and body as separate segments; with Nagle's
     * algorithm on, the body waits for the client's delayed ACK (about 40 ms per request).
     */
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";
    /**
     * How long a client may take to send its request, in seconds (the JDK's default: forever). The
     * server reads a request on one of its threads, so a client sending its headers byte by byte would
     * hold that thread for as long as it likes.
     */
    private static final String MAX_REQUEST_SECONDS = "sun.net.httpserver.maxReqTime";
    static final long MAX_REQUEST_SECONDS_DEFAULT = 5;
    /** Open connections at most (the JDK's default: no limit), which bounds the server's own threads. */
    private static final String MAX_CONNECTIONS = "jdk.httpserver.maxConnections";
    static final int MAX_CONNECTIONS_DEFAULT = 512;
    private static final String UNMATCHED = "unmatched";
    /** Methods that keep their name as a tag; any other is tagged {@value #OTHER_METHOD}. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
        "TRACE", "CONNECT");
    private static final String OTHER_METHOD = "OTHER";

    private final HttpServer server;
    private final ExecutorService readers;
    private final ThreadPoolExecutor lookups;
    private final int retryAfterSeconds;
    private final MeterRegistry meters;

    private ApiServer(HttpServer server, ExecutorService readers, ThreadPoolExecutor lookups, int retryAfterSeconds,
                      MeterRegistry meters) {
        this.server = server;
        this.readers = readers;
        this.lookups = lookups;
        this.retryAfterSeconds = retryAfterSeconds;
        this.meters = meters;
    }

    /**
     * Binds {@code http.host:http.port} (port 0: a free one); requests wait in the backlog until
     * {@link #start}. The JDK server reads its limits once, when the first one is created: a JVM
     * started with {@code -Dsun.net.httpserver.maxReqTime=S} or {@code -Djdk.httpserver.maxConnections=N}
     * keeps those.
     */
    public static ApiServer bind(HttpSettings settings, MeterRegistry meters) throws IOException {
        setUnlessGiven(NO_DELAY, "true");
        setUnlessGiven(MAX_REQUEST_SECONDS, Long.toString(MAX_REQUEST_SECONDS_DEFAULT));
        setUnlessGiven(MAX_CONNECTIONS, Integer.toString(MAX_CONNECTIONS_DEFAULT));
        HttpServer server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 128);
        ExecutorService readers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), daemonThreads("http-"));
        server.setExecutor(readers);
        ThreadPoolExecutor lookups = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(settings.queueSize()), daemonThreads("http-lookup-"));
        new ExecutorServiceMetrics(lookups, LOOKUP_POOL, Tags.empty()).bindTo(meters);
        return new ApiServer(server, readers, lookups, settings.retryAfterSeconds(), meters);
    }

    private static void setUnlessGiven(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The port the server is bound to. */
    public int port() {
        return server.getAddress().getPort();
    }

    void start(Routes routes) {
        server.createContext("/", exchange -> serve(routes, exchange));
        server.start();
    }

    /** On a reading thread: a probe or an error is answered here, anything else on a lookup thread. */
    private void serve(Routes routes, HttpExchange exchange) {
        long started = System.nanoTime();
        Routes.Match match;
        try {
            match = routes.match(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath());
        } catch (ApiException e) {
            respond(exchange, started, UNMATCHED, e.toResponse());
            return;
        }
        if (match.handler() == null || match.probe()) {
            answer(exchange, started, match);
            return;
        }
        try {
            lookups.execute(() -> answer(exchange, started, match));
        } catch (RejectedExecutionException e) {
            respond(exchange, started, match.template(), ApiResponse.unavailable(Problem.OVERLOADED,
                "too many requests are waiting for this instance; try again", retryAfterSeconds)
                .logging(lookups.getQueue().size() + " queued for " + lookups.getMaximumPoolSize() + " threads"));
        }
    }

    private void answer(HttpExchange exchange, long started, Routes.Match match) {
        String route = match.template() == null ? UNMATCHED : match.template();
        ApiResponse response;
        try {
            if (match.handler() == null) {
                response = match.allowed().isEmpty()
                    ? ApiResponse.problem(Problem.ENDPOINT_NOT_FOUND, "no such endpoint: "
                        + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath())
                    : ApiResponse.problem(Problem.METHOD_NOT_ALLOWED, exchange.getRequestMethod() + " is not allowed here")
                        .withHeader("Allow", String.join(", ", match.allowed()));
            } else {
                response = match.handler().handle(new ApiRequest(exchange, match.template(), match.params()));
            }
        } catch (ApiException e) {
            response = e.toResponse();
        } catch (RuntimeException e) {
            // the exception's text may name hosts, files or data: it goes to the log, the caller gets its id
            String correlationId = UUID.randomUUID().toString();
            LOG.error("{} {} failed (correlation id {})", exchange.getRequestMethod(), exchange.getRequestURI(),
                correlationId, e);
            response = ApiResponse.problem(Problem.INTERNAL_ERROR, "the processor failed to answer; its log has why, "
                + "under the correlation id").answering(exchange.getRequestURI().getRawPath(), correlationId);
        }
        respond(exchange, started, route, response);
    }

    /**
     * A problem of a route, completed: its {@code instance} is the request path, and a 5xx gets a
     * correlation id under which the log has what the response leaves out.
     */
    private static ApiResponse completed(HttpExchange exchange, ApiResponse response) {
        ApiResponse.Details problem = response.problem();
        if (problem == null || problem.instance() != null) {
            return response;
        }
        String path = exchange.getRequestURI().getRawPath();
        if (response.status() < 500) {
            return response.answering(path, null);
        }
        String correlationId = UUID.randomUUID().toString();
        LOG.warn("{} {} answered {} {}: {} (correlation id {})", exchange.getRequestMethod(), exchange.getRequestURI(),
            response.status(), problem.type().type(), problem.logDetail() == null ? problem.detail() : problem.logDetail(),
            correlationId);
        return response.answering(path, correlationId);
    }

    private void respond(HttpExchange exchange, long started, String route, ApiResponse answer) {
        ApiResponse response = completed(exchange, answer);
        // timed up to the response, before it is written: a client holding the answer finds it counted
        String method = METHODS.contains(exchange.getRequestMethod()) ? exchange.getRequestMethod() : OTHER_METHOD;
        Timer.builder(REQUESTS_TIMER)
            .description("HTTP requests, by method, route template and status")
            .tags("method", method, "route", route, "status", Integer.toString(response.status()))
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
        lookups.shutdownNow();
        readers.shutdownNow();
    }
}
