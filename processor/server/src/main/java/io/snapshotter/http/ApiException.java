package io.snapshotter.http;

/** A request answered with an error status and a reason, e.g. a malformed id (400). */
final class ApiException extends RuntimeException {

    private final int status;

    ApiException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    ApiResponse toResponse() {
        return ApiResponse.error(status, getMessage());
    }
}
