package io.snapshotter.http;

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
        if (aggregateId == null || aggregateId.isEmpty()) {
            throw new ApiException(400, "aggregateId is empty");
        }
        int length = aggregateId.codePointCount(0, aggregateId.length());
        if (length > MAX_LENGTH) {
            throw new ApiException(400, "aggregateId has " + length + " characters, more than " + MAX_LENGTH);
        }
        if (aggregateId.codePoints().anyMatch(Character::isISOControl)) {
            throw new ApiException(400, "aggregateId contains a control character");
        }
        return aggregateId;
    }
}
