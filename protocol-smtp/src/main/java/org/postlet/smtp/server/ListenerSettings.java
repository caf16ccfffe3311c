package org.postlet.smtp.server;

/**
 * One port the server listens on.
 *
 * @param name a name for logs and metrics, e.g. {@code mx} or {@code submission}
 * @param bind the address to bind, e.g. {@code 0.0.0.0}
 * @param port the TCP port; 0 picks a free one (see {@link SmtpServer#port(String)})
 * @param tls  how TLS is used
 * @param auth whether AUTH is offered or required
 */
public record ListenerSettings(String name, String bind, int port, TlsMode tls, AuthMode auth) {
}
