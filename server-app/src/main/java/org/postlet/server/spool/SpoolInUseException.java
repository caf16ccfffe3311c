package org.postlet.server.spool;

import java.io.IOException;

/** Another server holds the spool: this one must not start on it. The message says what to do. */
public final class SpoolInUseException extends IOException {

    SpoolInUseException(String message) {
        super(message);
    }
}
