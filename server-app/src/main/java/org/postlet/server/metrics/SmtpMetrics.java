package org.postlet.server.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postlet.smtp.server.SmtpEvents;

/**
 * Turns the SMTP server's events into the {@code smtp.*} metrics of {@link ServerMetric}. Called
 * on the event loops: every method is a few atomic updates. The metrics of every message and
 * connection are looked up once (by listener) rather than by building their names per event.
 */
public final class SmtpMetrics implements SmtpEvents {

    /** Enhanced status codes (RFC 3463) that operators ask about, by the word used as the reason label. */
    private static final Map<String, String> REASONS = Map.of(
            "5.1.1", "unknown-user", "5.7.1", "relay", "5.3.4", "size", "4.5.3", "recipients", "4.3.1", "spool",
            "4.3.0", "spool", "5.7.0", "auth-required", "5.7.8", "auth", "5.5.1", "sequence", "5.5.2", "syntax");

    private final MetricRegistry registry;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, Meter> connections = new ConcurrentHashMap<>();
    private final Meter accepted;
    private final Histogram messageBytes;
    private final Timer commitTime;

    public SmtpMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.accepted = registry.meter(ServerMetric.SMTP_MESSAGES_ACCEPTED.dropwizardName());
        this.messageBytes = registry.histogram(ServerMetric.SMTP_MESSAGE_BYTES.dropwizardName());
        this.commitTime = registry.timer(ServerMetric.SMTP_COMMIT_TIME.dropwizardName());
    }

    /**
     * Registers, at 0, every SMTP metric whose labels are known at start (each listener, each
     * refusal reason), and every metric of {@link ServerMetric} without labels: a scrape then
     * shows them before their first event, so a rate() or an alert on them has a series from the
     * start instead of appearing only after the first refusal or failure.
     */
    public void registerAtZero(Collection<String> listeners) {
        for (ServerMetric m : ServerMetric.values()) {
            if (m.labels().isEmpty()) {
                register(m.kind(), m.dropwizardName());
            }
        }
        for (String listener : listeners) {
            for (ServerMetric m : List.of(ServerMetric.SMTP_CONNECTIONS, ServerMetric.SMTP_SESSIONS_REJECTED,
                    ServerMetric.SMTP_TLS_HANDSHAKES, ServerMetric.SMTP_TLS_FAILURES, ServerMetric.SMTP_AUTH_SUCCESSES,
                    ServerMetric.SMTP_AUTH_FAILURES)) {
                register(m.kind(), m.dropwizardName(listener));
            }
            openCount(listener);
        }
        TreeSet<String> reasons = new TreeSet<>(REASONS.values());
        reasons.add("sender-login");
        reasons.forEach(r -> registry.meter(ServerMetric.SMTP_MESSAGES_REJECTED.dropwizardName(r)));
    }

    private void register(ServerMetric.Kind kind, String name) {
        switch (kind) {
            case METER -> registry.meter(name);
            case TIMER -> registry.timer(name);
            case HISTOGRAM -> registry.histogram(name);
            case COUNTER -> registry.counter(name);
            case GAUGE -> {
                // a gauge reads a live value; whoever owns that value registers it
            }
        }
    }

    @Override
    public void connectionOpened(String listener) {
        connections.computeIfAbsent(listener, l -> registry.meter(ServerMetric.SMTP_CONNECTIONS.dropwizardName(l))).mark();
        openCount(listener).incrementAndGet();
    }

    @Override
    public void connectionClosed(String listener) {
        openCount(listener).decrementAndGet();
    }

    private AtomicInteger openCount(String listener) {
        return open.computeIfAbsent(listener, l -> {
            AtomicInteger count = new AtomicInteger();
            registry.gauge(ServerMetric.SMTP_CONNECTIONS_OPEN.dropwizardName(l), () -> (Gauge<Integer>) count::get);
            return count;
        });
    }

    @Override
    public void connectionRefused(String listener, String reason) {
        registry.meter(ServerMetric.SMTP_SESSIONS_REJECTED.dropwizardName(listener)).mark();
    }

    @Override
    public void tlsHandshake(String listener, boolean succeeded) {
        ServerMetric m = succeeded ? ServerMetric.SMTP_TLS_HANDSHAKES : ServerMetric.SMTP_TLS_FAILURES;
        registry.meter(m.dropwizardName(listener)).mark();
    }

    @Override
    public void authentication(String listener, boolean succeeded) {
        ServerMetric m = succeeded ? ServerMetric.SMTP_AUTH_SUCCESSES : ServerMetric.SMTP_AUTH_FAILURES;
        registry.meter(m.dropwizardName(listener)).mark();
    }

    @Override
    public void messageAccepted(String listener, long bytes, Duration commitTime) {
        accepted.mark();
        messageBytes.update(bytes);
        this.commitTime.update(commitTime.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void refused(String listener, int code, String enhancedCode) {
        // 5.7.1 is also the refused sender of a login (553), which is not a relay attempt.
        String reason = enhancedCode == null ? Integer.toString(code)
                : code == 553 && enhancedCode.equals("5.7.1") ? "sender-login"
                : REASONS.getOrDefault(enhancedCode, enhancedCode.replace('.', '-'));
        registry.meter(ServerMetric.SMTP_MESSAGES_REJECTED.dropwizardName(reason)).mark();
    }
}
