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
