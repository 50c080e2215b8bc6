package io.snapshotter.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a route answers: a status, a body with its content type, and headers. Errors are JSON
 * objects {@code {"status": 404, "error": "Not Found", "reason": "..."}}.
 */
record ApiResponse(int status, byte[] body, String contentType, Map<String, String> headers) {

    ApiResponse {
        headers = Map.copyOf(headers);
    }

    static ApiResponse json(int status, Object body) {
        return new ApiResponse(status, Json.bytes(body), Json.CONTENT_TYPE, Map.of());
    }

    static ApiResponse text(int status, String body, String contentType) {
        return new ApiResponse(status, body.getBytes(StandardCharsets.UTF_8), contentType, Map.of());
    }

    static ApiResponse error(int status, String reason) {
        var body = Json.object().put("status", status).put("error", reasonPhrase(status)).put("reason", reason);
        return json(status, body);
    }

    /** A 503 with Retry-After. */
    static ApiResponse unavailable(String reason, int retryAfterSeconds) {
        return error(503, reason).withHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }

    ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, body, contentType, more);
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
