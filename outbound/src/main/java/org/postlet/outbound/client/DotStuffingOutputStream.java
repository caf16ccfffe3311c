package org.postlet.outbound.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The body of a DATA command as it goes on the wire: every line ends in CRLF ({@link CrlfOutputStream},
 * which guards against SMTP smuggling), a line starting with a dot gets a second one (RFC 5321
 * §4.5.2), and {@link #finish()} ends the body with {@code CRLF.CRLF}.
 */
public final class DotStuffingOutputStream extends FilterOutputStream {

    private final OutputStream wire;
    private final CrlfOutputStream lines;
    private boolean finished;

    public DotStuffingOutputStream(OutputStream out) {
        this(out, new Stuffing(out));
    }

    private DotStuffingOutputStream(OutputStream wire, Stuffing stuffing) {
        super(new CrlfOutputStream(stuffing));
        this.wire = wire;
        this.lines = (CrlfOutputStream) this.out;
    }

    @Override
    public void write(int b) throws IOException {
        lines.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        lines.write(b, off, len);
    }

    /** Ends the last line if it is open and writes the terminating dot line; does not close the stream. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        lines.endLine();
        wire.write('.');
        wire.write('\r');
        wire.write('\n');
        wire.flush();
    }

    /** Finishes the body but leaves the connection open. */
    @Override
    public void close() throws IOException {
        finish();
    }

    /** Doubles a dot that starts a line of an already CRLF-only stream. */
    private static final class Stuffing extends FilterOutputStream {
        private boolean lineStart = true;
        private boolean afterCr;

        Stuffing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            if (lineStart && b == '.') {
                out.write('.');
            }
            lineStart = afterCr && b == '\n';
            afterCr = b == '\r';
            out.write(b);
        }
    }
}
