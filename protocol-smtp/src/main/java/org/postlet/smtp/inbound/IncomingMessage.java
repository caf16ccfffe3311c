package org.postlet.smtp.inbound;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * A message being received. Calls come from one thread at a time, in order:
 * {@code write}* then exactly one of {@code commit} or {@code abort}.
 */
public interface IncomingMessage {

    /** The queue id. */
    String id();

    /**
     * Appends message bytes: RFC 5322 text with CRLF line endings, already dot-unstuffed, starting
     * with the server's {@code Received:} header. The buffer's remaining bytes are consumed.
     *
     * @throws IOException if the bytes cannot be written; the server then aborts the message
     */
    void write(ByteBuffer bytes) throws IOException;

    /**
     * Makes the message durable. The returned stage completes once the message survives a crash
     * (fsync'd) and has been handed to processing; it completes exceptionally if it could not be
     * stored, and the client then gets a 4xx reply, never 250. Must not block the caller.
     */
    CompletionStage<Void> commit();

    /** Discards the message (client went away, size limit exceeded, timeout). Never throws. */
    void abort();
}
