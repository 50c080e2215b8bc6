package io.snapshotter.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Bearer-token check of the admin endpoints. The token is compared in constant time
 * ({@link MessageDigest#isEqual}, whose time depends on the presented token's length only, never on
 * where it first differs). No token configured: the admin endpoints are off.
 */
final class AdminAuth {

    private static final String BEARER = "Bearer ";

    private final Optional<byte[]> token;

    AdminAuth(Optional<String> token) {
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    boolean enabled() {
        return token.isPresent();
    }

    /**
     * Empty when {@code authorization} (the header's value) carries the token; otherwise the error:
     * 404 when admin is off, 401 without a bearer token, 403 with a wrong one.
     */
    Optional<ApiResponse> check(String authorization) {
        if (token.isEmpty()) {
            return Optional.of(ApiResponse.problem(Problem.ADMIN_OFF, "the admin endpoints are off: no http.admin.token is configured"));
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of(ApiResponse.problem(Problem.ADMIN_TOKEN_MISSING, "an admin call needs 'Authorization: Bearer <token>'")
                .withHeader("WWW-Authenticate", "Bearer realm=\"snapshotter-admin\""));
        }
        byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(presented, token.get())) {
            return Optional.of(ApiResponse.problem(Problem.ADMIN_TOKEN_WRONG, "the bearer token is not the admin token"));
        }
        return Optional.empty();
    }
}
