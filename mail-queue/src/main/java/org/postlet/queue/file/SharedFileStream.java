package org.postlet.queue.file;

import jakarta.mail.internet.SharedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A region of a queue file (a log segment, a spilled message, a kept mail) that jakarta.mail parses without copying it into memory. All streams
 * made from one {@link #open} share one file channel, and closing the stream {@link #open} returned
 * closes that channel, however many streams a parser or mailet made with {@link #newStream} and left
 * open. (jakarta.mail's own {@code SharedFileInputStream} closes its file only when every such stream
 * is closed, so a parsed message kept its file open, deleted or not, until garbage collection.)
 * Reads are positional, so streams sharing the channel do not disturb each other.
 */
final class SharedFileStream extends InputStream implements SharedInputStream {

    private static final int BUFFER_SIZE = 8192;

    private final FileChannel channel;
    private final boolean owner;
    /** Absolute positions in the file: the region is {@code [start, end)}. */
    private final long start;
    private final long end;
    private long position;
    private long mark;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private long bufferStart;
    private int bufferLength;
    private boolean closed;

    private SharedFileStream(FileChannel channel, boolean owner, long start, long end) {
        this.channel = channel;
        this.owner = owner;
        this.start = start;
        this.end = end;
        this.position = start;
        this.mark = start;
    }

    /** Opens {@code length} bytes of {@code file} from {@code offset}; closing the result closes the file. */
    static SharedFileStream open(Path file, long offset, long length) throws IOException {
        return new SharedFileStream(FileChannel.open(file), true, offset, offset + length);
    }

    @Override
    public long getPosition() {
        return position - start;
    }

    @Override
    public InputStream newStream(long from, long to) {
        if (from < 0) {
            throw new IllegalArgumentException("start < 0");
        }
        long absoluteEnd = to == -1 ? end : Math.min(end, start + to);
        return new SharedFileStream(channel, false, start + from, absoluteEnd);
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return buffer[(int) (position++ - bufferStart)] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = (int) Math.min(len, bufferStart + bufferLength - position);
        System.arraycopy(buffer, (int) (position - bufferStart), b, off, n);
        position += n;
        return n;
    }

    /** Makes the byte at {@link #position} buffered; false at the end of the region. */
    private boolean fill() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (position >= end) {
            return false;
        }
        if (position >= bufferStart && position < bufferStart + bufferLength) {
            return true;
        }
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, (int) Math.min(BUFFER_SIZE, end - position));
        int n = channel.read(target, position);
        if (n <= 0) {
            return false; // the file is shorter than its records say: the parser sees the end
        }
        bufferStart = position;
        bufferLength = n;
        return true;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, end - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, end - position));
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public synchronized void mark(int readLimit) {
        mark = position;
    }

    @Override
    public synchronized void reset() {
        position = mark;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (owner) {
            channel.close();
        }
    }
}
