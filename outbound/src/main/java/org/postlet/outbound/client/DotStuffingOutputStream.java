package org.postlet.outbound.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The body of a DATA command as it goes on the wire: every line ends in CRLF, whatever the message
 * had (a bare CR, a bare LF, CRLF), a line starting with a dot gets a second one (RFC 5321 §4.5.2),
 * and {@link #finish()} ends the body with {@code CRLF.CRLF}. Normalising bare CR and LF matters:
 * a receiver that reads them as line ends would otherwise see a end of data where this server saw
 * none (SMTP smuggling), and Postlet must never relay such a message.
 */
public final class DotStuffingOutputStream extends FilterOutputStream {

    /** Whether the next byte starts a line. */
    private boolean lineStart = true;
    /** Whether the last byte was a CR whose line end is already written. */
    private boolean afterCr;
    private boolean finished;

    public DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (b == '\n') {
            if (!afterCr) {
                out.write('\r');
                out.write('\n');
            }
            afterCr = false;
            lineStart = true;
            return;
        }
        afterCr = false;
        if (b == '\r') {
            out.write('\r');
            out.write('\n');
            afterCr = true;
            lineStart = true;
            return;
        }
        if (lineStart && b == '.') {
            out.write('.');
        }
        lineStart = false;
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** Ends the last line if it is open and writes the terminating dot line; does not close the stream. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        out.flush();
    }

    /** Finishes the body but leaves the connection open. */
    @Override
    public void close() throws IOException {
        finish();
    }
}
