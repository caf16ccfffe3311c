package org.postlet.smtp.server;

import java.time.Duration;

/**
 * What happens on the SMTP side, for metrics: the server calls these on its event loops, so an
 * implementation must be quick and must not block. Every method does nothing by default.
 */
public interface SmtpEvents {

    /** Ignores every event. */
    SmtpEvents NONE = new SmtpEvents() {
    };

    /** A client connected and was admitted. */
    default void connectionOpened(String listener) {
    }

    /** An admitted client's connection ended. */
    default void connectionClosed(String listener) {
    }

    /** A connection was refused before the greeting, e.g. over a connection limit. */
    default void connectionRefused(String listener, String reason) {
    }

    /** A TLS handshake ended, successfully or not. */
    default void tlsHandshake(String listener, boolean succeeded) {
    }

    /** An AUTH exchange ended with a verdict on the credentials. */
    default void authentication(String listener, boolean succeeded) {
    }

    /**
     * A message was answered with 250.
     *
     * @param bytes      its size as stored
     * @param commitTime from the end of the data to the durable commit
     */
    default void messageAccepted(String listener, long bytes, Duration commitTime) {
    }

    /**
     * The server answered with a 4xx or 5xx reply: a refused recipient, sender or message, or a
     * protocol error. {@code enhancedCode} (RFC 3463) says why, e.g. {@code 5.1.1}.
     */
    default void refused(String listener, int code, String enhancedCode) {
    }
}
