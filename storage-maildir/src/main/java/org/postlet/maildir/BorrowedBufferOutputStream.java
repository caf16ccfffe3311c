package org.postlet.maildir;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Buffers writes to another stream, like {@link java.io.BufferedOutputStream}, in a buffer it is
 * given rather than one it allocates: the store lends the same few buffers to delivery after
 * delivery, so a 4 KiB message does not allocate (and zero) a fresh 64 KiB array.
 *
 * <p>Writes at least as long as the buffer go straight through, after what is buffered. Not
 * thread-safe; one instance per delivery, dropped (and its buffer handed back) once flushed.
 */
final class BorrowedBufferOutputStream extends OutputStream {

    private final OutputStream out;
    private final byte[] buffer;
    private int count;

    BorrowedBufferOutputStream(OutputStream out, byte[] buffer) {
        this.out = Objects.requireNonNull(out, "out");
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        if (buffer.length == 0) {
            throw new IllegalArgumentException("the buffer must not be empty");
        }
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buffer.length) {
            drain();
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len >= buffer.length) {
            drain();
            out.write(b, off, len);
            return;
        }
        if (len > buffer.length - count) {
            drain();
        }
        System.arraycopy(b, off, buffer, count, len);
        count += len;
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buffer, 0, count);
            count = 0;
        }
    }
}
