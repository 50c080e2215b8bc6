package io.snapshotter.http;

import java.util.Optional;

/**
 * What a valid aggregateId is, as the API accepts it: 1 to {@value #MAX_LENGTH} characters (after
 * percent-decoding), none of them a control character. The events topic's keys may hold more, but
 * those are not addressable here.
 */
final class AggregateIds {

    static final int MAX_LENGTH = 256;

    private AggregateIds() {
    }

    /** @throws ApiException (400) naming what is wrong */
    static String require(String aggregateId) {
        Optional<String> problem = problem(aggregateId);
        if (problem.isPresent()) {
            throw new ApiException(Problem.INVALID_AGGREGATE_ID, "aggregateId " + problem.get());
        }
        return aggregateId;
    }

    /**
     * A query parameter that holds an aggregateId (or a name with the same rules, an aggregate type).
     *
     * @throws ApiException (400) naming the parameter and what is wrong
     */
    static String requireParameter(String name, String value) {
        Optional<String> problem = problem(value);
        if (problem.isPresent()) {
            throw ApiException.invalidParameter(name, name + " " + problem.get());
        }
        return value;
    }

    /** What is wrong with {@code value} as an aggregateId, e.g. "is empty"; empty when nothing is. */
    private static Optional<String> problem(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of("is empty");
        }
        int length = value.codePointCount(0, value.length());
        if (length > MAX_LENGTH) {
            return Optional.of("has " + length + " characters, more than " + MAX_LENGTH);
        }
        if (value.codePoints().anyMatch(Character::isISOControl)) {
            return Optional.of("contains a control character");
        }
        return Optional.empty();
    }
}
