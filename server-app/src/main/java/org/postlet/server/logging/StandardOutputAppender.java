package org.postlet.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * Lines to the process's standard output through a buffer of its own. Logback's
 * {@code ConsoleAppender} writes through {@code System.out}, which flushes every line however it is
 * configured; behind a {@link BatchedAsyncAppender}, with {@code immediateFlush=false}, this one
 * writes a whole batch at once.
 */
public final class StandardOutputAppender extends OutputStreamAppender<ILoggingEvent> {

    @Override
    public void start() {
        setOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024));
        super.start();
    }

    /** Flushes but never closes: standard output outlives the logging configuration. */
    @Override
    protected void closeOutputStream() {
        if (getOutputStream() != null) {
            try {
                getOutputStream().flush();
            } catch (java.io.IOException e) {
                addError("cannot flush standard output", e);
            }
        }
    }
}
