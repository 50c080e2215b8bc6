package io.snapshotter.http;

import io.snapshotter.query.Instance;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.types.Password;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The HTTP API's settings, from the {@code http.*} and {@code query.*} keys defined by {@link #CONFIG_DEF}.
 *
 * @param enabled        whether the API is served at all
 * @param adminToken     the admin bearer token; empty: the admin endpoints are off
 * @param adminPrincipal who holds the token, for the audit log
 * @param standbyReads   whether a standby or restoring copy may answer while the active cannot
 * @param standbyMaxLag  changelog records that copy may be behind
 * @param queueSize      requests that may wait for one of the {@code threads}; one more is answered 503
 * @param forwardConnectTimeout how long a forwarded lookup may take to connect to the owner
 */
public record HttpSettings(boolean enabled, String host, int port, String advertisedHost, int advertisedPort,
                           int threads, Duration forwardTimeout, int retryAfterSeconds, Optional<String> adminToken,
                           String adminPrincipal, boolean standbyReads, long standbyMaxLag, int queueSize,
                           Duration forwardConnectTimeout) {

    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "::0");

    public static final String ENABLED = "http.enabled";
    public static final String HOST = "http.host";
    public static final String PORT = "http.port";
    public static final String ADVERTISED_HOST = "http.advertised.host";
    public static final String ADVERTISED_PORT = "http.advertised.port";
    public static final String THREADS = "http.threads";
    public static final String QUEUE_SIZE = "http.queue.size";
    public static final String FORWARD_TIMEOUT_MS = "http.forward.timeout.ms";
    public static final String FORWARD_CONNECT_TIMEOUT_MS = "http.forward.connect.timeout.ms";
    public static final String RETRY_AFTER_SECONDS = "http.retry.after.seconds";
    public static final String ADMIN_TOKEN = "http.admin.token";
    public static final String ADMIN_PRINCIPAL = "http.admin.principal";
    public static final String QUERY_STANDBY_ENABLED = "query.standby.enabled";
    public static final String QUERY_STANDBY_MAX_LAG = "query.standby.max.lag";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
        .define(ENABLED, Type.BOOLEAN, true, Importance.HIGH,
            "Serve interactive queries, admin actions, health and metrics over HTTP.")
        .define(HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "Address the HTTP server binds to.")
        .define(PORT, Type.INT, 8080, ConfigDef.Range.between(0, 65_535), Importance.HIGH,
            "Port of the HTTP server; 0 picks a free one.")
        .define(ADVERTISED_HOST, Type.STRING, null, Importance.MEDIUM,
            "Host other instances reach this one at (Kafka Streams' application.server); default: http.host, "
                + "or this machine's name when http.host is a wildcard address.")
        .define(ADVERTISED_PORT, Type.INT, 0, ConfigDef.Range.between(0, 65_535), Importance.LOW,
            "Port other instances reach this one at; 0: the port the server is bound to.")
        .define(THREADS, Type.INT, 16, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Threads answering lookups and admin calls (a forwarded lookup holds one while the owner answers); "
                + "/health, /ready and /metrics are answered on threads of their own.")
        .define(QUEUE_SIZE, Type.INT, 100, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Lookups and admin calls that may wait for one of the " + THREADS + "; one more is answered 503 with "
                + "Retry-After.")
        .define(FORWARD_TIMEOUT_MS, Type.INT, 5_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Timeout of a call made to answer a request: a lookup forwarded to the owning instance, or "
                + "writing a manual snapshot request.")
        .define(FORWARD_CONNECT_TIMEOUT_MS, Type.INT, 1_000, ConfigDef.Range.atLeast(1), Importance.LOW,
            "How long a lookup forwarded to the owning instance may take to connect: an owner that is gone is "
                + "given up on (a copy here answers, or 503) after this, not after " + FORWARD_TIMEOUT_MS + ".")
        .define(RETRY_AFTER_SECONDS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Retry-After of a 503 answered while the key's store is not queryable.")
        .define(ADMIN_TOKEN, Type.PASSWORD, null, Importance.HIGH,
            "Bearer token of the admin endpoints; unset: the admin endpoints are off.")
        .define(ADMIN_PRINCIPAL, Type.STRING, "admin", new ConfigDef.NonEmptyString(), Importance.LOW,
            "Who holds the admin token, as written to the audit log.")
        .define(QUERY_STANDBY_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
            "While the active copy of a key's store is not queryable (rebalance, restore), answer from a "
                + "standby or restoring copy on this instance that is at most query.standby.max.lag behind.")
        .define(QUERY_STANDBY_MAX_LAG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
            "How many changelog records a copy answering for the active may be behind.");

    /** @param values every configuration value (keys of other components are ignored here) */
    public static HttpSettings from(Map<String, ?> values) {
        AbstractConfig config = new AbstractConfig(CONFIG_DEF, values, false);
        return new HttpSettings(
            config.getBoolean(ENABLED),
            config.getString(HOST),
            config.getInt(PORT),
            config.getString(ADVERTISED_HOST),
            config.getInt(ADVERTISED_PORT),
            config.getInt(THREADS),
            Duration.ofMillis(config.getInt(FORWARD_TIMEOUT_MS)),
            config.getInt(RETRY_AFTER_SECONDS),
            Optional.ofNullable(config.getPassword(ADMIN_TOKEN)).map(Password::value)
                .filter(token -> !token.isEmpty()),
            config.getString(ADMIN_PRINCIPAL),
            config.getBoolean(QUERY_STANDBY_ENABLED),
            config.getLong(QUERY_STANDBY_MAX_LAG),
            config.getInt(QUEUE_SIZE),
            Duration.ofMillis(config.getInt(FORWARD_CONNECT_TIMEOUT_MS)));
    }

    /**
     * The address other instances reach this one at, given the port the server is bound to:
     * {@code http.advertised.host}, else {@code http.host}, else (a wildcard host) this machine's name.
     */
    public Instance advertised(int boundPort) {
        String advertised = advertisedHost != null && !advertisedHost.isBlank() ? advertisedHost
            : WILDCARDS.contains(host) ? localHostName() : host;
        return new Instance(advertised, advertisedPort > 0 ? advertisedPort : boundPort);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public String toString() {
        return "HttpSettings[" + host + ":" + port + ", advertised " + advertisedHost + ":" + advertisedPort
            + ", admin " + (adminToken.isPresent() ? "on" : "off") + "]";
    }
}
