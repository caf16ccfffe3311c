package org.postlet.smtp.server;

import java.time.Duration;

/**
 * What one client may use of the server before it is turned away. A client over a limit gets a
 * 421 4.7.0 reply and the connection is closed; other sessions are untouched.
 *
 * @param connections          open connections in total, over all listeners; the next one gets 421 at once
 * @param connectionsPerClient open connections from one IP address (Postfix's
 *                             {@code smtpd_client_connection_count_limit} is 50 as well)
 * @param commandsPerSession   commands in one session, counting every line read as a command
 * @param errorsPerSession     error replies (4xx/5xx) in a row before the session is closed
 *                             (Postfix's {@code smtpd_hard_error_limit}); a success resets the count
 * @param authFailures         failed AUTH attempts in one session; the last one is followed by 421
 * @param authFailureDelay     the wait before a failed AUTH is answered, times the number of failures
 *                             so far, which slows down password guessing
 * @param authFailuresPerClient failed AUTH attempts from one address, over all its sessions, within
 *                             {@link ClientAuthFailures#WINDOW}; beyond that AUTH gets 454 4.7.0 unchecked
 */
public record SmtpLimits(int connections, int connectionsPerClient, int commandsPerSession, int errorsPerSession,
                         int authFailures, Duration authFailureDelay, int authFailuresPerClient) {

    /** Safe defaults for a public MX or submission port. */
    public static final SmtpLimits DEFAULTS = new SmtpLimits(1000, 50, 1000, 20, 3, Duration.ofSeconds(1), 10);

    public SmtpLimits {
        if (connections < 1 || connectionsPerClient < 1 || commandsPerSession < 1 || errorsPerSession < 1
                || authFailures < 1 || authFailuresPerClient < 1) {
            throw new IllegalArgumentException("every SMTP limit must be at least 1: " + connections + ", "
                    + connectionsPerClient + ", " + commandsPerSession + ", " + errorsPerSession + ", " + authFailures + ", "
                    + authFailuresPerClient);
        }
        if (authFailureDelay.isNegative()) {
            throw new IllegalArgumentException("authFailureDelay must not be negative: " + authFailureDelay);
        }
    }
}
