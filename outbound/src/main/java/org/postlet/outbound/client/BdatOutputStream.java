package org.postlet.outbound.client;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A message sent in BDAT chunks (RFC 3030): the bytes are collected in a buffer (at most
 * {@link #CHUNK_SIZE}), then go out as {@code BDAT n} and the chunk when it is full;
 * {@link #finish()} sends the rest as {@code BDAT n LAST}.
 * No dot-stuffing: the count, not a dot line, ends a chunk. With PIPELINING the chunks go out
 * without waiting and their replies are read at the end; without it each chunk waits for its
 * reply, and a refused one stops the message (RFC 3030 §2: no further chunk after a 4xx or 5xx).
 */
final class BdatOutputStream extends OutputStream {

    /** The size of a full chunk: large enough that the commands cost nothing, small enough to hold. */
    static final int CHUNK_SIZE = 1024 * 1024;

    private final SmtpConnection connection;
    private final boolean pipelining;
    private final byte[] chunk;
    private int used;
    /** Chunks sent whose replies are still to be read (with PIPELINING). */
    private int unanswered;
    private Reply refusal;

    BdatOutputStream(SmtpConnection connection, boolean pipelining, int chunkSize) {
        this.connection = connection;
        this.pipelining = pipelining;
        this.chunk = new byte[chunkSize];
    }

    @Override
    public void write(int b) throws IOException {
        if (used == chunk.length) {
            send(false);
        }
        chunk[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (used == chunk.length) {
                send(false);
            }
            int n = Math.min(len, chunk.length - used);
            System.arraycopy(b, off, chunk, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    /** The reply that refused a chunk before the last, which stopped the message (without PIPELINING). */
    Reply refusal() {
        return refusal;
    }

    /**
     * Sends what is left as the last chunk and reads the outstanding replies.
     *
     * @return the reply that decides the message: the first refusal of a chunk, else the reply to the last
     */
    Reply finish() throws IOException {
        if (refusal != null) {
            return refusal;
        }
        send(true);
        connection.flush();
        return readOutstanding();
    }

    /**
     * Reads the replies still owed for the chunks sent: the first refusal decides, else the last
     * reply; null when none is owed. A refused chunk failed the transaction (RFC 3030 §2), so once one
     * is read, however the remote ends the connection after it does not change the outcome: a 5xx
     * must bounce, not be retried for days.
     *
     * @throws IOException when the connection fails before a reply decided
     */
    private Reply readOutstanding() throws IOException {
        Reply decided = null;
        for (; unanswered > 0; unanswered--) {
            Reply r;
            try {
                r = connection.read();
            } catch (IOException e) {
                if (decided == null) {
                    throw e;
                }
                unanswered = 0;
                return decided;
            }
            if (decided == null && (!r.positive() || unanswered == 1)) {
                decided = r;
            }
        }
        return decided;
    }

    private void send(boolean last) throws IOException {
        if (refusal != null) {
            throw new ChunkRefused(refusal);
        }
        try {
            connection.send("BDAT " + used + (last ? " LAST" : ""));
            connection.body().write(chunk, 0, used);
        } catch (IOException e) {
            throw refusedWhileSending(e);
        }
        used = 0;
        unanswered++;
        if (!pipelining && !last) {
            connection.flush();
            Reply r = connection.read();
            unanswered--;
            if (!r.positive()) {
                refusal = r;
                throw new ChunkRefused(r);
            }
        }
    }

    /**
     * A write failed, with PIPELINING typically because the remote refused an earlier chunk and
     * closed the connection. Its refusal may already be here to read: then it decides the message (a
     * 5xx must bounce, not be retried as a broken connection); otherwise the write's failure does.
     */
    private IOException refusedWhileSending(IOException failure) {
        if (!pipelining) {
            return failure;
        }
        try {
            Reply decided = readOutstanding();
            if (decided != null && !decided.positive()) {
                refusal = decided;
                return new ChunkRefused(decided);
            }
        } catch (IOException unreadable) {
            failure.addSuppressed(unreadable);
        }
        return failure;
    }

    /** Stops the writer of the message when the remote refused a chunk. */
    static final class ChunkRefused extends IOException {
        ChunkRefused(Reply reply) {
            super("the remote refused a BDAT chunk: " + reply);
        }
    }
}
