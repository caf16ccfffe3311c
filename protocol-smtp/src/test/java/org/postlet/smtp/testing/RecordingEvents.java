package org.postlet.smtp.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.postlet.smtp.server.SmtpEvents;

/** Records every SMTP event as a short line, e.g. {@code opened mx}, {@code accepted mx 123}. */
public final class RecordingEvents implements SmtpEvents {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Rejection> rejections = new CopyOnWriteArrayList<>();
    private final List<String> lost = new CopyOnWriteArrayList<>();

    /** The {@link #rejected} events, kept apart from {@link #events()}. */
    public List<Rejection> rejections() {
        return List.copyOf(rejections);
    }

    /** The {@link #connectionLost} events as {@code LISTENER CLIENT AFTER}. */
    public List<String> lost() {
        return List.copyOf(lost);
    }

    @Override
    public void rejected(Rejection rejection) {
        rejections.add(rejection);
    }

    @Override
    public void connectionLost(String listener, String client, String after) {
        lost.add(listener + " " + client + " " + after);
    }

    public List<String> events() {
        return List.copyOf(events);
    }

    @Override
    public void connectionOpened(String listener) {
        events.add("opened " + listener);
    }

    @Override
    public void connectionClosed(String listener) {
        events.add("closed " + listener);
    }

    @Override
    public void connectionRefused(String listener, String reason) {
        events.add("refused-connection " + listener + " " + reason);
    }

    @Override
    public void tlsHandshake(String listener, boolean succeeded) {
        events.add("tls " + listener + " " + succeeded);
    }

    @Override
    public void authentication(String listener, boolean succeeded) {
        events.add("auth " + listener + " " + succeeded);
    }

    @Override
    public void messageAccepted(String listener, long bytes, Duration commitTime) {
        events.add("accepted " + listener + " " + bytes + (commitTime.isNegative() ? " negative-time" : ""));
    }

    @Override
    public void refused(String listener, int code, String enhancedCode) {
        events.add("refused " + listener + " " + code + " " + enhancedCode);
    }
}
