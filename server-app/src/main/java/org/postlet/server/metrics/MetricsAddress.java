package org.postlet.server.metrics;

import java.net.InetSocketAddress;

/**
 * The value of {@code metrics.http}: {@code host:port}, {@code [ipv6]:port}, or {@code :port}
 * for every interface.
 *
 * @param host a host name or IP address; empty for every interface
 * @param port 0 to 65535 (0: any free port, for tests)
 */
public record MetricsAddress(String host, int port) {

    /** How to write the value, for "how to fix" texts. */
    public static final String FORMAT = "write host:port, e.g. 127.0.0.1:9025, [::1]:9025 or :9025 for every interface";

    public MetricsAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics.http port " + port + " is out of range (1 to 65535)");
        }
    }

    /**
     * Parses {@code metrics.http}.
     *
     * @throws IllegalArgumentException saying what is wrong (the caller adds how to fix it, see {@link #FORMAT})
     */
    public static MetricsAddress parse(String text) {
        String value = text == null ? "" : text.strip();
        int colon = value.lastIndexOf(':');
        if (colon < 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("metrics.http '" + value + "' has no port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("metrics.http '" + value + "': put an IPv6 address in brackets");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics.http '" + value + "': the port is not a number");
        }
        return new MetricsAddress(host, port);
    }

    /** The socket address to bind; not resolved until bound, so {@code check} does no DNS lookups. */
    InetSocketAddress socketAddress() {
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
