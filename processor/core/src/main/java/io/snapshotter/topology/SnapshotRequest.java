package io.snapshotter.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * A request for a MANUAL snapshot of one aggregate: the value of a record on
 * {@code topic.snapshot.requests}, keyed by the aggregateId, as small JSON. The requests topic is
 * co-partitioned with the events topic, so the request reaches the task that owns the aggregate and
 * the fold processor takes the snapshot in line with the fold.
 *
 * @param requestId   unique id of the request, echoed in the snapshot's {@link #REQUEST_ID_HEADER}
 * @param requestedBy who asked (the admin principal and the caller's own name, if given)
 * @param note        why, as the caller put it; may be null
 * @param requestedAt when the request was made (epoch millis)
 */
public record SnapshotRequest(String requestId, String requestedBy, String note, long requestedAt) {

    /** Header of a MANUAL snapshot record: the id of the request it answers. */
    public static final String REQUEST_ID_HEADER = "snapshot.request.id";
    /** Header of a MANUAL snapshot record: who asked for it. */
    public static final String REQUESTED_BY_HEADER = "snapshot.requested.by";

    /** Later versions may add fields; older processors ignore them. */
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public SnapshotRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(requestedBy, "requestedBy");
    }

    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode " + this, e);
        }
    }

    /** @throws IllegalArgumentException if {@code bytes} are not a snapshot request */
    public static SnapshotRequest fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("no value");
        }
        try {
            return JSON.readValue(bytes, SnapshotRequest.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a snapshot request: " + e.getMessage(), e);
        }
    }
}
