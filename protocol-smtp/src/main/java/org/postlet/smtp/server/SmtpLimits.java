package org.postlet.smtp.server;

import java.time.Duration;

/**
 * What one client may use of the server before it is turned away. A client over a limit gets a
 * 421 4.7.0 reply and the connection is closed; other sessions are untouched.
 *
 * @param connections          open connections per listener (a listener may override it); the next one gets 421 at once
 * @param connectionsPerClient open connections from one IP address per listener (Postfix's
 *                             {@code smtpd_client_connection_count_limit} is 50 as well)
 * @param commandsPerSession   commands in one session, counting every line read as a command
 * @param errorsPerSession     error replies (4xx/5xx) in a row before the session is closed
 *                             (Postfix's {@code smtpd_hard_error_limit}); a success resets the count
 * @param authFailures         failed AUTH attempts in one session; the last one is followed by 421
 * @param authFailureDelay     the wait before a failed AUTH is answered, times the number of failures
 *                             so far, which slows down password guessing
 * @param authFailuresPerClient AUTH attempts from one address that may fail, over all its sessions, within
 *                             {@link ClientAuthFailures#WINDOW}; beyond that AUTH gets 454 4.7.0 unchecked
 * @param recipientOvershoot   RCPTs over {@code maxRecipients} in one transaction answered 452 4.5.3 without
 *                             counting as errors (Postfix's {@code smtpd_recipient_overshoot_limit}), so a
 *                             pipelining client keeps its session and sends the rest in a new transaction
 * @param stressCommandTimeout the command timeout while a listener is under stress (at least
 *                             {@value #STRESS_PERCENT}% of its connection limit open), when shorter than the configured one
 * @param stressDataTimeout    the data timeout under stress, likewise
 */
public record SmtpLimits(int connections, int connectionsPerClient, int commandsPerSession, int errorsPerSession,
                         int authFailures, Duration authFailureDelay, int authFailuresPerClient, int recipientOvershoot,
                         Duration stressCommandTimeout, Duration stressDataTimeout) {

    /** A listener with at least this share of its {@link #connections()} open is under stress (Postfix's stress mode). */
    public static final int STRESS_PERCENT = 80;

    /** Safe defaults for a public MX or submission port. */
    public static final SmtpLimits DEFAULTS = new SmtpLimits(1000, 50, 1000, 20, 3, Duration.ofSeconds(1), 10);

    public SmtpLimits {
        if (connections < 1 || connectionsPerClient < 1 || commandsPerSession < 1 || errorsPerSession < 1
                || authFailures < 1 || authFailuresPerClient < 1) {
            throw new IllegalArgumentException("every SMTP limit must be at least 1: " + connections + ", "
                    + connectionsPerClient + ", " + commandsPerSession + ", " + errorsPerSession + ", " + authFailures + ", "
                    + authFailuresPerClient);
        }
        if (recipientOvershoot < 0) {
            throw new IllegalArgumentException("recipientOvershoot must not be negative: " + recipientOvershoot);
        }
        if (authFailureDelay.isNegative()) {
            throw new IllegalArgumentException("authFailureDelay must not be negative: " + authFailureDelay);
        }
        if (stressCommandTimeout.isNegative() || stressCommandTimeout.isZero() || stressDataTimeout.isNegative()
                || stressDataTimeout.isZero()) {
            throw new IllegalArgumentException("stress timeouts must be positive: " + stressCommandTimeout + ", "
                    + stressDataTimeout);
        }
    }

    /** Limits with the default overshoot (1000) and stress timeouts (10 s command, 60 s data). */
    public SmtpLimits(int connections, int connectionsPerClient, int commandsPerSession, int errorsPerSession,
                      int authFailures, Duration authFailureDelay, int authFailuresPerClient) {
        this(connections, connectionsPerClient, commandsPerSession, errorsPerSession, authFailures, authFailureDelay,
                authFailuresPerClient, 1000, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** These limits with another {@link #recipientOvershoot()}. */
    public SmtpLimits withRecipientOvershoot(int overshoot) {
        return new SmtpLimits(connections, connectionsPerClient, commandsPerSession, errorsPerSession, authFailures,
                authFailureDelay, authFailuresPerClient, overshoot, stressCommandTimeout, stressDataTimeout);
    }

    /** These limits with other timeouts under stress. */
    public SmtpLimits withStressTimeouts(Duration command, Duration data) {
        return new SmtpLimits(connections, connectionsPerClient, commandsPerSession, errorsPerSession, authFailures,
                authFailureDelay, authFailuresPerClient, recipientOvershoot, command, data);
    }
}
