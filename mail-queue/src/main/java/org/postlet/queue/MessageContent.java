package org.postlet.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The bytes of a queued message, exactly as enqueued. */
public interface MessageContent {

    /** The message's length in bytes. */
    long size();

    /**
     * A stream of the whole message. When it is also a {@code jakarta.mail.internet.SharedInputStream}
     * a parser reads parts without copying them. Close it when done; it may hold a file or a buffer.
     */
    InputStream open() throws IOException;

    /** Writes exactly the message to {@code out}. */
    default void writeTo(OutputStream out) throws IOException {
        try (InputStream in = open()) {
            in.transferTo(out);
        }
    }

    /**
     * The message's header section as text (UTF-8, as RFC 6532 allows), up to and without the
     * empty line that ends it, reading at most {@code maxBytes}: what an operator looks at.
     */
    default String header(int maxBytes) throws IOException {
        try (InputStream in = open()) {
            String text = new String(in.readNBytes(maxBytes), java.nio.charset.StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? text : text.substring(0, end + 2);
        }
    }

    /** Content held in memory, e.g. for a mail built by a mailet or a test. */
    static MessageContent of(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new MessageContent() {
            @Override
            public long size() {
                return copy.length;
            }

            @Override
            public InputStream open() {
                // Shared, so a MIME parser takes parts as views instead of copies, as for queued content.
                return new jakarta.mail.util.SharedByteArrayInputStream(copy);
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(copy);
            }
        };
    }
}
