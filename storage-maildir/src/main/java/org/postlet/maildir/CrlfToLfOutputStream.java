package org.postlet.maildir;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Converts CRLF line endings to LF on the way to another stream, as Maildir readers such as Dovecot
 * expect: exactly the pair {@code \r\n} becomes {@code \n}; a bare {@code \r} or a bare {@code \n}
 * passes unchanged.
 *
 * <p>A CR that ends one {@code write} is held back until the next byte shows whether it starts a
 * CRLF pair, so the result does not depend on how the writer splits its output. Runs of bytes
 * without CR are passed on in one call, so the hot path copies no data.
 *
 * <p>{@link #close()} writes a held-back CR and flushes, but leaves the underlying stream open: the
 * store still has to fsync the file after the message has been written, and a message writer that
 * closes the stream it was given (as many do) must not prevent that.
 *
 * <p>Not thread-safe; one instance per message.
 */
final class CrlfToLfOutputStream extends OutputStream {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final OutputStream out;
    private boolean pendingCr;
    private boolean closed;

    CrlfToLfOutputStream(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        byte c = (byte) b;
        if (pendingCr) {
            pendingCr = false;
            if (c == LF) {
                out.write(LF);
                return;
            }
            out.write(CR);
        }
        if (c == CR) {
            pendingCr = true;
        } else {
            out.write(c);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return;
        }
        int end = off + len;
        if (pendingCr) {
            pendingCr = false;
            // An LF here completes the pair: dropping the held CR is the conversion. Anything else
            // means the CR was bare and is kept.
            if (b[off] != LF) {
                out.write(CR);
            }
        }
        int start = off;
        for (int i = off; i < end; i++) {
            if (b[i] != CR) {
                continue;
            }
            if (i + 1 == end) {
                out.write(b, start, i - start);
                pendingCr = true;
                return;
            }
            if (b[i + 1] == LF) {
                out.write(b, start, i - start);
                start = i + 1; // the LF starts the next run
                i++;
            }
        }
        out.write(b, start, end - start);
    }

    /** Flushes what has been converted; a CR still held back stays held until the next byte or close. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        out.flush();
    }

    /** Writes a held-back CR (it was bare) and flushes; the underlying stream stays open. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (pendingCr) {
            pendingCr = false;
            out.write(CR);
        }
        out.flush();
        closed = true;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the message stream was already closed; write the whole message before closing it");
        }
    }
}
