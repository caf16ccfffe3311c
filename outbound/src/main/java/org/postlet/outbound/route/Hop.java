package org.postlet.outbound.route;

import java.util.Locale;

/**
 * A host to try and its port.
 *
 * @param host       a host name (lower-case) or an IP address
 * @param port       the TCP port
 * @param preference the MX preference it came with (0 for a gateway or an implicit MX)
 */
public record Hop(String host, int port, int preference) {

    /** The form {@link #parse} reads, for messages. */
    public static final String FORMAT = "host or host:port, e.g. smtp.example.net:587 or [192.0.2.1]:25";

    public Hop {
        host = host.toLowerCase(Locale.ROOT);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range");
        }
    }

    /**
     * Reads {@code host[:port]}, an IPv6 address in brackets ({@code [::1]:25}).
     *
     * @throws IllegalArgumentException when it is not that
     */
    public static Hop parse(String text, int defaultPort) {
        String t = text.strip();
        String host;
        String port = null;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has no closing ]");
            }
            host = t.substring(1, close);
            String rest = t.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + text + "' has text after ]");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = t.lastIndexOf(':');
            host = colon < 0 ? t : t.substring(0, colon);
            port = colon < 0 ? null : t.substring(colon + 1);
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:_-]+")) {
            throw new IllegalArgumentException("'" + text + "' does not name a host");
        }
        try {
            return new Hop(host, port == null ? defaultPort : Integer.parseInt(port), 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + port + "' is not a port number");
        }
    }

    /** Whether {@link #host()} is an IP address rather than a name to look up. */
    public boolean literal() {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
