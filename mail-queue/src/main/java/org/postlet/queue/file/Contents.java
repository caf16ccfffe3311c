package org.postlet.queue.file;

import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.postlet.queue.MessageContent;

/**
 * The two places a queued message is read from: memory (just received, or a broker's message) and
 * a region of a file. Shared with the RabbitMQ queue.
 */
public final class Contents {

    private Contents() {
    }

    /** The first {@code length} bytes of {@code bytes}, which the caller no longer changes. */
    static MessageContent memory(byte[] bytes, int length) {
        return memory(bytes, 0, length);
    }

    /** {@code length} bytes of {@code bytes} from {@code offset}, which the caller no longer changes. */
    public static MessageContent memory(byte[] bytes, int offset, int length) {
        return new MessageContent() {
            @Override
            public long size() {
                return length;
            }

            @Override
            public InputStream open() {
                return new SharedByteArrayInputStream(bytes, offset, length);
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes, offset, length);
            }
        };
    }

    /** {@code size} bytes of {@code file} from {@code offset}, read positionally each time it is opened. */
    public static MessageContent file(Path file, long offset, long size) {
        return new MessageContent() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream open() throws IOException {
                return SharedFileStream.open(file, offset, size);
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                try (InputStream in = open()) {
                    // No bigger than the message: a 4 KiB mail need not allocate and zero 64 KiB.
                    byte[] buffer = new byte[(int) Math.max(1, Math.min(64 * 1024, size))];
                    long left = size;
                    while (left > 0) {
                        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                        if (n < 0) {
                            throw new IOException(file + ": shorter than its records say (" + left + " bytes missing)");
                        }
                        out.write(buffer, 0, n);
                        left -= n;
                    }
                }
            }
        };
    }
}
