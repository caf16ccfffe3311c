package org.postlet.outbound.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A message as it goes on the wire, DATA or BDAT: every line ends in CRLF, whatever the message
 * had (a bare CR, a bare LF, CRLF). This matters: a receiver that reads a bare CR or LF as a line
 * end would otherwise see lines (and, after DATA, an end of data) where this server saw none (SMTP
 * smuggling), and Postlet must never relay such a message.
 */
public final class CrlfOutputStream extends FilterOutputStream {

    /** Whether the next byte starts a line. */
    private boolean lineStart = true;
    /** Whether the last byte was a CR whose line end is already written. */
    private boolean afterCr;

    public CrlfOutputStream(OutputStream out) {
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
        lineStart = false;
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** Ends the last line with CRLF if it is open, so the message ends with a whole line. */
    public void endLine() throws IOException {
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
            lineStart = true;
            afterCr = false;
        }
    }

    /** Does not close the stream below: the connection carries on. */
    @Override
    public void close() throws IOException {
        flush();
    }
}
