package org.postlet.smtp.session;

import java.util.Optional;
import org.postlet.smtp.command.Reply;
import org.postlet.smtp.command.Verb;

/**
 * Where an SMTP session is (RFC 5321 §4.1.4, RFC 3030, RFC 4954). {@link #refusal(Verb)} is the one
 * place that decides which command is allowed in which state; the session handler makes the
 * transitions. Whether the listener offers STARTTLS or AUTH at all is the session's business.
 *
 * <pre>
 * CONNECTED --HELO/EHLO--> GREETED --MAIL--> SENDER_GIVEN --RCPT--> RECIPIENTS_GIVEN --DATA(354)--> RECEIVING_DATA
 *     RECEIVING_DATA --end of data--> COMMITTING --250/451--> GREETED
 *     RECIPIENTS_GIVEN/CHUNKS_RECEIVED --BDAT n--> RECEIVING_CHUNK --end of chunk--> CHUNKS_RECEIVED
 *                                      --BDAT n LAST--> RECEIVING_CHUNK --end of chunk--> COMMITTING
 *     GREETED --AUTH--> AUTHENTICATING --235/535/501--> GREETED
 *     CONNECTED/GREETED --STARTTLS(220)--> CONNECTED (after the handshake; the client must EHLO again)
 *     RSET, HELO, EHLO: back to GREETED;  QUIT, errors, limits, timeout, shutdown: CLOSING
 * </pre>
 */
public enum SessionState {
    /** The greeting was sent (or TLS was just started); the client has not said HELO or EHLO. */
    CONNECTED,
    /** HELO or EHLO done; no mail transaction open. */
    GREETED,
    /** MAIL FROM accepted; no RCPT yet. */
    SENDER_GIVEN,
    /** At least one RCPT was given (maybe none accepted). */
    RECIPIENTS_GIVEN,
    /** After 354: the decoder is in data mode; no commands arrive. */
    RECEIVING_DATA,
    /** After {@code BDAT n}: the decoder passes the next n octets as they are; no commands arrive. */
    RECEIVING_CHUNK,
    /** At least one BDAT chunk (not the last) was received; only BDAT continues the message. */
    CHUNKS_RECEIVED,
    /** An AUTH exchange is running: lines are SASL responses, not commands. */
    AUTHENTICATING,
    /** The message is complete and being made durable; pipelined commands wait. */
    COMMITTING,
    /** The session is ending (QUIT, too many errors, timeout, shutdown); input is ignored. */
    CLOSING;

    /** Whether commands are read in this state. */
    public boolean inCommandMode() {
        return this == CONNECTED || this == GREETED || this == SENDER_GIVEN || this == RECIPIENTS_GIVEN
                || this == CHUNKS_RECEIVED;
    }

    /** Whether a mail transaction (MAIL given, not yet finished) is open. */
    public boolean inTransaction() {
        return this == SENDER_GIVEN || this == RECIPIENTS_GIVEN || this == RECEIVING_DATA || this == RECEIVING_CHUNK
                || this == CHUNKS_RECEIVED || this == COMMITTING;
    }

    /**
     * Decides whether {@code verb} may be used now, in a session greeted with EHLO.
     *
     * @return empty when it may; otherwise the 503 reply to send
     */
    public Optional<Reply> refusal(Verb verb) {
        return refusal(verb, true);
    }

    /**
     * Decides whether {@code verb} may be used now.
     *
     * @param extended whether the client greeted with EHLO: BDAT belongs to CHUNKING, an ESMTP
     *                 extension a HELO client was never offered (RFC 3030 §2)
     * @return empty when it may; otherwise the 503 reply to send
     */
    public Optional<Reply> refusal(Verb verb, boolean extended) {
        if (!inCommandMode()) {
            return badSequence("command not allowed now");
        }
        if (verb == Verb.BDAT && this != CONNECTED && !extended) {
            return badSequence("BDAT (CHUNKING) needs EHLO, not HELO");
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
                case CHUNKS_RECEIVED -> badSequence("RCPT after BDAT");
                default -> Optional.empty();
            };
            case DATA -> switch (this) {
                case CONNECTED -> badSequence("send HELO/EHLO first");
                case GREETED -> badSequence("need MAIL command");
                case SENDER_GIVEN -> badSequence("need RCPT command");
                // RFC 3030 §2: DATA and BDAT must not be mixed in one transaction.
                case CHUNKS_RECEIVED -> badSequence("DATA after BDAT; finish with BDAT LAST or RSET");
                default -> Optional.empty();
            };
            case BDAT -> switch (this) {
                case CONNECTED -> badSequence("send EHLO first");
                case GREETED -> badSequence("need MAIL command");
                case SENDER_GIVEN -> badSequence("need RCPT command");
                default -> Optional.empty();
            };
            case STARTTLS -> inTransaction() ? badSequence("MAIL transaction in progress") : Optional.empty();
            case AUTH -> switch (this) {
                case CONNECTED -> badSequence("send EHLO first");
                case GREETED -> Optional.empty();
                default -> badSequence("MAIL transaction in progress");
            };
        };
    }

    private static Optional<Reply> badSequence(String why) {
        return Optional.of(Reply.of(503, "5.5.1", "Error: " + why));
    }
}
