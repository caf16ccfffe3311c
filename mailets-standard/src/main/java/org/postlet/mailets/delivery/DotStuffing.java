package org.postlet.mailets.delivery;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The DATA encoding of SMTP and LMTP (RFC 5321 4.5.2) in one pass: every line ends with CRLF (a
 * bare LF or a bare CR becomes CRLF, so the server never sees a line end it may read otherwise), a
 * line starting with a dot gets one more, and {@link #finish} ends the last line and writes the
 * final {@code .CRLF}.
 */
final class DotStuffing extends FilterOutputStream {

    private boolean lineStart = true;
    private boolean afterCr;

    DotStuffing(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (afterCr) {
            afterCr = false;
            if (b == '\n') {
                return; // the CRLF was written at the CR
            }
        }
        if (b == '\r' || b == '\n') {
            out.write('\r');
            out.write('\n');
            lineStart = true;
            afterCr = b == '\r';
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

    /** Ends the message: a CRLF if the last line has none, then {@code .CRLF}; flushes. */
    void finish() throws IOException {
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write(new byte[] {'.', '\r', '\n'});
        out.flush();
    }
}
