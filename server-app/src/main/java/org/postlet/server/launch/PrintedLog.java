package org.postlet.server.launch;

import java.io.PrintStream;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The mailets' logger during {@code bin/postlet trace}: what a mailet says it would do is part of
 * the trace's answer, so it is printed on the command's output, not written to the server's log.
 */
final class PrintedLog extends LegacyAbstractLogger {

    private final transient PrintStream out;

    PrintedLog(PrintStream out) {
        this.out = out;
        this.name = "trace";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] arguments, Throwable t) {
        String text = MessageFormatter.basicArrayFormat(message, arguments);
        out.println((level.toInt() >= Level.WARN.toInt() ? level + ": " : "") + text + (t == null ? "" : " (" + t + ")"));
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }
}
