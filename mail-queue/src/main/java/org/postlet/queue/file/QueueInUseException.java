package org.postlet.queue.file;

import java.io.IOException;

/** Another server holds the queue directory: this one must not start on it. The message says what to do. */
public final class QueueInUseException extends IOException {

    private static final long serialVersionUID = 1L;

    QueueInUseException(String message) {
        super(message);
    }
}
