package io.snapshotter.http;

import io.snapshotter.config.ProcessorConfig;
import io.snapshotter.query.Instance;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.types.Password;

/**
 * The HTTP settings, from the {@code http.*} keys.
 *
 * @param adminToken     the admin bearer token; empty: the admin endpoints are off
 * @param adminPrincipal who holds the token, for the audit log
 */
public record HttpSettings(String host, int port, String advertisedHost, int advertisedPort, int threads,
                           Duration forwardTimeout, int retryAfterSeconds, Optional<String> adminToken,
                           String adminPrincipal) {

    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "::0");

    public static HttpSettings from(ProcessorConfig config) {
        return new HttpSettings(
            config.getString(ProcessorConfig.HTTP_HOST),
            config.getInt(ProcessorConfig.HTTP_PORT),
            config.getString(ProcessorConfig.HTTP_ADVERTISED_HOST),
            config.getInt(ProcessorConfig.HTTP_ADVERTISED_PORT),
            config.getInt(ProcessorConfig.HTTP_THREADS),
            Duration.ofMillis(config.getInt(ProcessorConfig.HTTP_FORWARD_TIMEOUT_MS)),
            config.getInt(ProcessorConfig.HTTP_RETRY_AFTER_SECONDS),
            Optional.ofNullable(config.getPassword(ProcessorConfig.HTTP_ADMIN_TOKEN)).map(Password::value)
                .filter(token -> !token.isEmpty()),
            config.getString(ProcessorConfig.HTTP_ADMIN_PRINCIPAL));
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
