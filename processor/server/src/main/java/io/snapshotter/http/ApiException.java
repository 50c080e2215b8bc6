package io.snapshotter.http;

/** A request answered with a problem, e.g. a malformed id (400); the message is the problem's detail. */
final class ApiException extends RuntimeException {

    private final Problem problem;
    private final String parameter;

    ApiException(Problem problem, String detail) {
        this(problem, detail, null);
    }

    private ApiException(Problem problem, String detail, String parameter) {
        super(detail, null, false, false);
        this.problem = problem;
        this.parameter = parameter;
    }

    /** A 400 for a bad query or path parameter, named in the detail and as the problem's {@code parameter}. */
    static ApiException invalidParameter(String parameter, String detail) {
        return new ApiException(Problem.INVALID_PARAMETER, detail, parameter);
    }

    Problem problem() {
        return problem;
    }

    ApiResponse toResponse() {
        ApiResponse response = ApiResponse.problem(problem, getMessage());
        return parameter == null ? response : response.withExtension("parameter", parameter);
    }
}
