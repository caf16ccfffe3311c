package org.postlet.smtp.server;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What happens on the SMTP side, for metrics and the log: the server calls these on its event loops,
 * so an implementation must be quick and must not block. Every method does nothing by default.
 */
public interface SmtpEvents {

    /** Ignores every event. */
    SmtpEvents NONE = new SmtpEvents() {
    };

    /**
     * A command of a client refused with a 4xx or 5xx reply for a reason an operator asks about
     * (Postfix logs these as {@code NOQUEUE: reject: …}).
     *
     * @param listener     the listener's name
     * @param stage        what was refused: {@code MAIL}, {@code RCPT}, {@code DATA}, {@code BDAT},
     *                     {@code AUTH} or {@code END-OF-MESSAGE} (the message after its data was read)
     * @param client       the client's address literal, e.g. {@code [192.0.2.1]}
     * @param code         the reply code, e.g. 550
     * @param enhancedCode e.g. {@code 5.1.1}; empty when the reply has none
     * @param text         the reply text
     * @param sender       the envelope sender as a path, e.g. {@code <a@b>} or {@code <>}, once MAIL was given
     *                     (or the one MAIL tried to give)
     * @param recipient    the recipient refused, for RCPT
     * @param protocol     {@code SMTP} after HELO, {@code ESMTP} after EHLO
     * @param helo         the HELO/EHLO name, empty before it
     */
    record Rejection(String listener, String stage, String client, int code, String enhancedCode, String text,
                     Optional<String> sender, Optional<String> recipient, String protocol, String helo) {
    }

    /** Tells each of {@code events} every event, in order. */
    static SmtpEvents all(List<SmtpEvents> events) {
        List<SmtpEvents> each = List.copyOf(events);
        return new SmtpEvents() {
            @Override
            public void connectionOpened(String listener) {
                each.forEach(e -> e.connectionOpened(listener));
            }

            @Override
            public void connectionClosed(String listener) {
                each.forEach(e -> e.connectionClosed(listener));
            }

            @Override
            public void connectionRefused(String listener, String reason) {
                each.forEach(e -> e.connectionRefused(listener, reason));
            }

            @Override
            public void tlsHandshake(String listener, boolean succeeded) {
                each.forEach(e -> e.tlsHandshake(listener, succeeded));
            }

            @Override
            public void authentication(String listener, boolean succeeded) {
                each.forEach(e -> e.authentication(listener, succeeded));
            }

            @Override
            public void messageAccepted(String listener, long bytes, Duration commitTime) {
                each.forEach(e -> e.messageAccepted(listener, bytes, commitTime));
            }

            @Override
            public void refused(String listener, int code, String enhancedCode) {
                each.forEach(e -> e.refused(listener, code, enhancedCode));
            }

            @Override
            public void rejected(Rejection rejection) {
                each.forEach(e -> e.rejected(rejection));
            }

            @Override
            public void connectionLost(String listener, String client, String after) {
                each.forEach(e -> e.connectionLost(listener, client, after));
            }
        };
    }

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
     * @param bytes      its size as stored: our {@code Received:} header and the bytes the client sent
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

    /**
     * A command was refused; see {@link Rejection}. Called once per refused command, except that
     * of the {@code 452 4.5.3} replies to RCPTs over the recipient limit only the first of a
     * transaction is told.
     */
    default void rejected(Rejection rejection) {
    }

    /**
     * The client closed the connection in the middle of something, e.g. while sending its message.
     *
     * @param client the client's address literal, e.g. {@code [192.0.2.1]}
     * @param after  the last command the client gave, e.g. {@code DATA} or {@code BDAT}
     */
    default void connectionLost(String listener, String client, String after) {
    }
}
