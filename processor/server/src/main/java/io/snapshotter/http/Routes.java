package io.snapshotter.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Method and path templates ({@code /aggregates/{aggregateId}}) to handlers. Templates are tried in
 * the order added, and a literal segment matches the raw (still encoded) segment, so
 * {@code /admin/snapshots/cleanup} added before {@code /admin/snapshots/{aggregateId}} wins for the
 * literal while {@code /admin/snapshots/%63leanup} still names an aggregate called "cleanup".
 * A probe route ({@link #probe}) is answered on the server's own threads, never queued behind lookups.
 */
final class Routes {

    /** Answers one request. */
    @FunctionalInterface
    interface Handler {
        ApiResponse handle(ApiRequest request);
    }

    private record Route(String method, String template, String[] segments, Handler handler, boolean probe) {
    }

    /**
     * What a request path resolved to: a route and its decoded parameters, and whether it is a probe;
     * or, with a null handler, the methods the path allows (none: unknown path).
     */
    record Match(String template, Handler handler, Map<String, String> params, Set<String> allowed, boolean probe) {
    }

    private final List<Route> routes = new ArrayList<>();

    Routes get(String template, Handler handler) {
        return add("GET", template, handler, false);
    }

    Routes post(String template, Handler handler) {
        return add("POST", template, handler, false);
    }

    /**
     * A GET that must answer however busy the lookups are (health, readiness, metrics): quick, and
     * answered on the threads that read requests.
     */
    Routes probe(String template, Handler handler) {
        return add("GET", template, handler, true);
    }

    private Routes add(String method, String template, Handler handler, boolean probe) {
        routes.add(new Route(method, template, segments(template), handler, probe));
        return this;
    }

    /** Every route as {@code METHOD template}, in the order added: what the API description must list. */
    List<String> endpoints() {
        return routes.stream().map(route -> route.method + " " + route.template).toList();
    }

    /** @throws ApiException (400) when a path parameter is not validly percent-encoded */
    Match match(String method, String rawPath) {
        String[] path = segments(rawPath);
        Set<String> allowed = new LinkedHashSet<>();
        String matchedTemplate = null;
        for (Route route : routes) {
            Map<String, String> params = matchSegments(route.segments, path);
            if (params == null) {
                continue;
            }
            if (route.method.equals(method)) {
                return new Match(route.template, route.handler, params, Set.of(route.method), route.probe);
            }
            allowed.add(route.method);
            matchedTemplate = matchedTemplate == null ? route.template : matchedTemplate;
        }
        return new Match(matchedTemplate, null, Map.of(), allowed, false);
    }

    private static Map<String, String> matchSegments(String[] template, String[] path) {
        if (template.length != path.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), path[i]);
            } else if (!t.equals(path[i])) {
                return null;
            }
        }
        params.replaceAll((name, raw) -> decode(name, raw));
        return params;
    }

    private static String decode(String name, String raw) {
        try {
            return PathCodec.decode(raw);
        } catch (IllegalArgumentException e) {
            String detail = name + " is not validly percent-encoded: " + e.getMessage();
            throw name.equals("aggregateId") ? new ApiException(Problem.INVALID_AGGREGATE_ID, detail)
                : ApiException.invalidParameter(name, detail);
        }
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.split("/", -1);
    }
}
