package org.postlet.maildir;

import java.io.IOException;
import java.io.OutputStream;

/** The bytes of a message as RFC 5322 text with CRLF line endings, written on demand. */
@FunctionalInterface
public interface MessageContent {

    /** Writes the whole message; the store converts line endings as Maildir readers expect. */
    void writeTo(OutputStream out) throws IOException;
}
