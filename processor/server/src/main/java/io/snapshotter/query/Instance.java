package io.snapshotter.query;

import java.util.Objects;

/**
 * A processor instance as the others reach it over HTTP: its Kafka Streams
 * {@code application.server}.
 */
public record Instance(String host, int port) {

    public Instance {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
    }

    /** Parses {@code host:port} (an IPv6 host in brackets). */
    public static Instance parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("not host:port: '" + hostPort + "'");
        }
        try {
            return new Instance(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not host:port: '" + hostPort + "'", e);
        }
    }

    /** {@code host:port}, as Kafka Streams' {@code application.server} takes it. */
    @Override
    public String toString() {
        return host + ":" + port;
    }
}
