package io.snapshotter.http;

/** HTTP headers of the API beyond the standard ones. */
public final class ApiHeaders {

    /**
     * Set by an instance that forwards a lookup to the key's owner (value: the forwarding instance). A
     * request carrying it is answered where it arrives, or 503: never forwarded again.
     */
    public static final String FORWARDED_BY = "X-Snapshotter-Forwarded-By";
    /** The instance whose store answered, {@code host:port}. */
    public static final String SERVED_BY = "X-Snapshotter-Served-By";
    /** {@code active} or {@code standby}: which copy of the store answered. */
    public static final String REPLICA = "X-Snapshotter-Replica";
    /** Changelog records the answering copy was behind (0 for the active copy). */
    public static final String LAG = "X-Snapshotter-Lag";
    /** Free text naming who makes an admin call, written to the audit log beside the token's principal. */
    public static final String REQUEST_BY = "X-Request-By";
    /** Of a 5xx: the id under which the processor's log has the details; the problem body carries it as {@code correlationId}. */
    public static final String CORRELATION_ID = "X-Snapshotter-Correlation-Id";

    private ApiHeaders() {
    }
}
