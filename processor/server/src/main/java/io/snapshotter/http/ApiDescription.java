package io.snapshotter.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code GET /openapi.yaml}: the OpenAPI 3.1 description of this API, a resource of the jar that
 * {@code OpenApiTest} checks against the routes, so that it cannot drift from them.
 */
final class ApiDescription {

    static final String PATH = "/openapi.yaml";
    static final String RESOURCE = "/io/snapshotter/http/openapi.yaml";
    static final String CONTENT_TYPE = "application/yaml; charset=utf-8";

    private final byte[] document;

    ApiDescription() {
        try (InputStream in = ApiDescription.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The API description " + RESOURCE + " is missing from the class path");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the API description " + RESOURCE, e);
        }
    }

    ApiResponse serve(ApiRequest request) {
        return new ApiResponse(200, document, CONTENT_TYPE, Map.of());
    }
}
