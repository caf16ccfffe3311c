package org.postlet.smtp.server;

import java.util.OptionalInt;

/**
 * One port the server listens on.
 *
 * @param name                 a name for logs and metrics, e.g. {@code mx} or {@code submission}
 * @param bind                 the address to bind, e.g. {@code 0.0.0.0}
 * @param port                 the TCP port; 0 picks a free one (see {@link SmtpServer#port(String)})
 * @param tls                  how TLS is used
 * @param auth                 whether AUTH is offered or required
 * @param connections          this listener's own limit of open connections; empty: {@link SmtpLimits#connections()}
 * @param connectionsPerClient this listener's own limit per client address; empty: {@link SmtpLimits#connectionsPerClient()}
 */
public record ListenerSettings(String name, String bind, int port, TlsMode tls, AuthMode auth, OptionalInt connections,
                               OptionalInt connectionsPerClient) {

    public ListenerSettings {
        if (connections.isPresent() && connections.getAsInt() < 1
                || connectionsPerClient.isPresent() && connectionsPerClient.getAsInt() < 1) {
            throw new IllegalArgumentException("listener " + name + ": connection limits must be at least 1");
        }
    }

    /** A listener with the server-wide connection limits, applied to it alone. */
    public ListenerSettings(String name, String bind, int port, TlsMode tls, AuthMode auth) {
        this(name, bind, port, tls, auth, OptionalInt.empty(), OptionalInt.empty());
    }

    /** The open connections this listener admits. */
    public int connectionLimit(SmtpLimits limits) {
        return connections.orElse(limits.connections());
    }

    /** The open connections from one address this listener admits. */
    public int connectionsPerClientLimit(SmtpLimits limits) {
        return connectionsPerClient.orElse(limits.connectionsPerClient());
    }
}
