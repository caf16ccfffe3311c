package org.postlet.smtp.inbound;

import java.io.IOException;

/**
 * Where the SMTP server puts accepted messages: the spool. The server calls {@link #open} when
 * DATA (or the first BDAT) begins, writes the message through the returned
 * {@link IncomingMessage} and replies 250 only when {@link IncomingMessage#commit()} completes.
 */
public interface InboundQueue {

    /**
     * Starts a message. The queue id is assigned here so the server can name it in its
     * {@code Received:} header and 250 reply.
     *
     * @throws IOException if the message cannot be stored now (e.g. the disk is full); the
     *                     session answers 452 4.3.1 and goes on
     */
    IncomingMessage open(Envelope envelope) throws IOException;

    /**
     * Whether a message of about {@code declaredSize} bytes (0 when the client did not say, with
     * {@code SIZE=}) could be stored now. Asked at MAIL, so a full disk is answered 452 4.3.1
     * before the client sends anything. Called on the event loop: must be quick.
     */
    default boolean hasRoomFor(long declaredSize) {
        return true;
    }
}
