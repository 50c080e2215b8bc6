package io.snapshotter.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a route answers: a status, a body with its content type, and headers. An error is an RFC 9457
 * problem ({@link #problem}): {@code application/problem+json} with {@code type} (a {@link Problem}
 * URI), {@code title}, {@code status}, {@code detail}, {@code instance} (the request path, filled in
 * by the server) and, for a 5xx, a {@code correlationId} under which the log has what the response
 * does not say. {@code error} (the status's reason phrase) and {@code reason} (the detail) are kept
 * for the clients of the earlier error format.
 */
record ApiResponse(int status, byte[] body, String contentType, Map<String, String> headers, Details problem) {

    /**
     * The parts of a problem response, so that the server can complete it with the request's path and
     * a correlation id, and log what only the log may say.
     *
     * @param extensions    members beyond RFC 9457's, e.g. the aggregate's version of a 409
     * @param logDetail     what the log says of it beside the correlation id (may name hosts); null: the detail
     * @param instance      the request path; null until the server knows it
     * @param correlationId of a 5xx: the id under which the log has it; null until the server gives one
     */
    record Details(Problem type, String detail, ObjectNode extensions, String logDetail, String instance,
                   String correlationId) {

        ObjectNode toJson() {
            ObjectNode json = Json.object()
                .put("type", type.type().toString())
                .put("title", type.title())
                .put("status", type.status())
                .put("detail", detail);
            if (instance != null) {
                json.put("instance", instance);
            }
            if (correlationId != null) {
                json.put("correlationId", correlationId);
            }
            json.setAll(extensions);
            return json.put("error", reasonPhrase(type.status())).put("reason", detail);
        }
    }

    ApiResponse {
        headers = Map.copyOf(headers);
    }

    ApiResponse(int status, byte[] body, String contentType, Map<String, String> headers) {
        this(status, body, contentType, headers, null);
    }

    static ApiResponse json(int status, Object body) {
        return new ApiResponse(status, Json.bytes(body), Json.CONTENT_TYPE, Map.of());
    }

    static ApiResponse text(int status, String body, String contentType) {
        return new ApiResponse(status, body.getBytes(StandardCharsets.UTF_8), contentType, Map.of());
    }

    /** A problem of {@code type}; {@code detail} is for the caller: it names no host and quotes no exception. */
    static ApiResponse problem(Problem type, String detail) {
        return of(new Details(type, detail, Json.object(), null, null, null), Map.of());
    }

    /** A 503 problem with Retry-After. */
    static ApiResponse unavailable(Problem type, String detail, int retryAfterSeconds) {
        return problem(type, detail).withHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    private static ApiResponse of(Details details, Map<String, String> headers) {
        return new ApiResponse(details.type().status(), Json.bytes(details.toJson()), Problem.CONTENT_TYPE, headers,
            details);
    }

    /** This problem with one more member in its body. */
    ApiResponse withExtension(String name, JsonNode value) {
        ObjectNode extensions = problem.extensions().deepCopy();
        extensions.set(name, value);
        return of(new Details(problem.type(), problem.detail(), extensions, problem.logDetail(), problem.instance(),
            problem.correlationId()), headers);
    }

    ApiResponse withExtension(String name, String value) {
        return withExtension(name, Json.MAPPER.getNodeFactory().textNode(value));
    }

    ApiResponse withExtension(String name, long value) {
        return withExtension(name, Json.MAPPER.getNodeFactory().numberNode(value));
    }

    /** This problem, with what the log says of it (hosts, exception text) but the response must not. */
    ApiResponse logging(String logDetail) {
        return of(new Details(problem.type(), problem.detail(), problem.extensions(), logDetail, problem.instance(),
            problem.correlationId()), headers);
    }

    /**
     * This problem as answered to the request for {@code instance} (its path); a {@code correlationId}
     * (null: none) goes into the body and the {@link ApiHeaders#CORRELATION_ID} header.
     */
    ApiResponse answering(String instance, String correlationId) {
        ApiResponse answered = of(new Details(problem.type(), problem.detail(), problem.extensions(), problem.logDetail(),
            instance, correlationId), headers);
        return correlationId == null ? answered : answered.withHeader(ApiHeaders.CORRELATION_ID, correlationId);
    }

    ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, body, contentType, more, problem);
    }

    static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "HTTP " + status;
        };
    }
}
