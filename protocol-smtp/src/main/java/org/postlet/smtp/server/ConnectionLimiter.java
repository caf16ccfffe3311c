package org.postlet.smtp.server;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections in total and per client address, for {@link SmtpLimits#connections()}
 * and {@link SmtpLimits#connectionsPerClient()}. Thread-safe: connections of different event
 * loops are admitted and released concurrently.
 */
final class ConnectionLimiter {

    /** Why a connection was turned away. */
    enum Refusal { TOO_MANY_CONNECTIONS, TOO_MANY_FROM_CLIENT }

    private final SmtpLimits limits;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    ConnectionLimiter(SmtpLimits limits) {
        this.limits = limits;
    }

    /**
     * Counts a new connection if it is within the limits.
     *
     * @return empty when admitted (call {@link #release} when it closes); otherwise why not, and
     *         nothing was counted
     */
    Optional<Refusal> admit(InetAddress client) {
        if (total.incrementAndGet() > limits.connections()) {
            total.decrementAndGet();
            return Optional.of(Refusal.TOO_MANY_CONNECTIONS);
        }
        int[] count = new int[1];
        perClient.compute(client, (address, n) -> count[0] = n == null ? 1 : n + 1);
        if (count[0] > limits.connectionsPerClient()) {
            release(client);
            return Optional.of(Refusal.TOO_MANY_FROM_CLIENT);
        }
        return Optional.empty();
    }

    /** Forgets an admitted connection. */
    void release(InetAddress client) {
        perClient.computeIfPresent(client, (address, n) -> n == 1 ? null : n - 1);
        total.decrementAndGet();
    }

    /** Open connections now, for diagnostics. */
    int open() {
        return total.get();
    }
}
