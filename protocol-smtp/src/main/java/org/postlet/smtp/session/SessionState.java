package org.postlet.smtp.session;

import java.util.Optional;
import org.postlet.smtp.command.Reply;
import org.postlet.smtp.command.Verb;

/**
 * Where an SMTP session is (RFC 5321 §4.1.4). {@link #refusal(Verb)} is the one place that decides
 * which command is allowed in which state; the session handler makes the transitions.
 *
 * <pre>
 * CONNECTED --HELO/EHLO--> GREETED --MAIL--> SENDER_GIVEN --RCPT--> RECIPIENTS_GIVEN --DATA(354)--> RECEIVING_DATA
 *     RECEIVING_DATA --end of data--> COMMITTING --250/451--> GREETED
 *     RSET, HELO, EHLO: back to GREETED;  QUIT, errors, timeout, shutdown: CLOSING
 * </pre>
 */
public enum SessionState {
    /** The greeting was sent; the client has not said HELO or EHLO. */
    CONNECTED,
    /** HELO or EHLO done; no mail transaction open. */
    GREETED,
    /** MAIL FROM accepted; no RCPT yet. */
    SENDER_GIVEN,
    /** At least one RCPT was given (maybe none accepted). */
    RECIPIENTS_GIVEN,
    /** After 354: the decoder is in data mode; no commands arrive. */
    RECEIVING_DATA,
    /** The message is complete and being made durable; pipelined commands wait. */
    COMMITTING,
    /** The session is ending (QUIT, too many errors, timeout, shutdown); input is ignored. */
    CLOSING;

    /** Whether commands are read in this state. */
    public boolean inCommandMode() {
        return this == CONNECTED || this == GREETED || this == SENDER_GIVEN || this == RECIPIENTS_GIVEN;
    }

    /** Whether a mail transaction (MAIL given, not yet finished) is open. */
    public boolean inTransaction() {
        return this == SENDER_GIVEN || this == RECIPIENTS_GIVEN || this == RECEIVING_DATA || this == COMMITTING;
    }

    /**
     * Decides whether {@code verb} may be used now.
     *
     * @return empty when it may; otherwise the 503 reply to send
     */
    public Optional<Reply> refusal(Verb verb) {
        if (!inCommandMode()) {
            return badSequence("command not allowed now");
        }
        return switch (verb) {
            case HELO, EHLO, RSET, NOOP, QUIT, VRFY, HELP -> Optional.empty();
            case MAIL -> switch (this) {
                case CONNECTED -> badSequence("send HELO/EHLO first");
                case GREETED -> Optional.empty();
                default -> badSequence("nested MAIL command");
            };
            case RCPT -> switch (this) {
                case CONNECTED -> badSequence("send HELO/EHLO first");
                case GREETED -> badSequence("need MAIL command");
                default -> Optional.empty();
            };
            case DATA -> switch (this) {
                case CONNECTED -> badSequence("send HELO/EHLO first");
                case GREETED -> badSequence("need MAIL command");
                case SENDER_GIVEN -> badSequence("need RCPT command");
                default -> Optional.empty();
            };
        };
    }

    private static Optional<Reply> badSequence(String why) {
        return Optional.of(Reply.of(503, "5.5.1", "Error: " + why));
    }
}
