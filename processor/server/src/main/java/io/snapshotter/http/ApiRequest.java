package io.snapshotter.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/** One request as a route sees it: decoded path parameters and query values, headers, the caller's address. */
final class ApiRequest {

    static final int MAX_BODY_BYTES = 64 * 1024;

    private final HttpExchange exchange;
    private final String route;
    private final Map<String, String> pathParams;
    private final Map<String, String> query;

    ApiRequest(HttpExchange exchange, String route, Map<String, String> pathParams) {
        this.exchange = exchange;
        this.route = route;
        this.pathParams = pathParams;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    /** The route template that matched, e.g. {@code /aggregates/{aggregateId}}. */
    String route() {
        return route;
    }

    String pathParam(String name) {
        return pathParams.get(name);
    }

    /** A query parameter's value, or null when absent. */
    String queryParam(String name) {
        return query.get(name);
    }

    /** The first value of a request header, or null. */
    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** The path and query as received, still encoded: what a forwarded request asks the owner. */
    String rawPathAndQuery() {
        String rawQuery = exchange.getRequestURI().getRawQuery();
        return exchange.getRequestURI().getRawPath() + (rawQuery == null ? "" : "?" + rawQuery);
    }

    String remoteAddress() {
        InetSocketAddress remote = exchange.getRemoteAddress();
        return remote == null ? "unknown" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }

    /** The request body, at most {@value #MAX_BODY_BYTES} bytes (413 beyond). */
    byte[] body() {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new ApiException(Problem.BODY_TOO_LARGE, "request body over " + MAX_BODY_BYTES + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new ApiException(Problem.INVALID_BODY, "cannot read the request body");
        }
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                values.putIfAbsent(PathCodec.decode(name), PathCodec.decode(value.replace('+', ' ')));
            } catch (IllegalArgumentException e) {
                throw new ApiException(Problem.INVALID_PARAMETER, "malformed query string: " + e.getMessage());
            }
        }
        return values;
    }
}
