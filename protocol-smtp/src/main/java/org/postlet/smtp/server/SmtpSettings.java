package org.postlet.smtp.server;

import java.time.Duration;
import java.util.List;

/**
 * Everything the SMTP server is configured with.
 *
 * @param hostname        the name in the banner, EHLO reply and {@code Received:} headers
 * @param listeners       the ports to listen on, at least one
 * @param maxMessageSize  the largest message accepted, in bytes; advertised with SIZE
 * @param maxRecipients   the most recipients accepted per message; more get 452 4.5.3
 * @param commandTimeout  the time a client has to complete each command line, from the previous reply
 * @param dataTimeout     the time a client has to send a whole DATA message or BDAT chunk
 * @param limits          connection, command, error and AUTH limits
 */
public record SmtpSettings(String hostname, List<ListenerSettings> listeners, long maxMessageSize, int maxRecipients,
                           Duration commandTimeout, Duration dataTimeout, SmtpLimits limits) {

    public SmtpSettings {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("the SMTP server needs at least one listener");
        }
    }

    /** Settings with the {@link SmtpLimits#DEFAULTS default limits}. */
    public SmtpSettings(String hostname, List<ListenerSettings> listeners, long maxMessageSize, int maxRecipients,
                        Duration commandTimeout, Duration dataTimeout) {
        this(hostname, listeners, maxMessageSize, maxRecipients, commandTimeout, dataTimeout, SmtpLimits.DEFAULTS);
    }

    /** Whether any listener speaks TLS, so the server needs key material. */
    public boolean usesTls() {
        return listeners.stream().anyMatch(l -> l.tls() != TlsMode.NONE);
    }
}
