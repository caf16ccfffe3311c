package org.postlet.smtp.server;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the open connections of one listener in total and per client address. Each listener has
 * its own, so a flood on one port (e.g. idle connections on the MX) never takes the slots of
 * another (submission). Thread-safe: connections of different event loops are admitted and
 * released concurrently.
 */
final class ConnectionLimiter implements ListenerLoad {

    /** Why a connection was turned away. */
    enum Refusal { TOO_MANY_CONNECTIONS, TOO_MANY_FROM_CLIENT }

    private final int connections;
    private final int connectionsPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    ConnectionLimiter(int connections, int connectionsPerClient) {
        this.connections = connections;
        this.connectionsPerClient = connectionsPerClient;
    }

    /**
     * Counts a new connection if it is within the limits.
     *
     * @return empty when admitted (call {@link #release} when it closes); otherwise why not, and
     *         nothing was counted
     */
    Optional<Refusal> admit(InetAddress client) {
        if (total.incrementAndGet() > connections) {
            total.decrementAndGet();
            return Optional.of(Refusal.TOO_MANY_CONNECTIONS);
        }
        int[] count = new int[1];
        perClient.compute(client, (address, n) -> count[0] = n == null ? 1 : n + 1);
        if (count[0] > connectionsPerClient) {
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

    @Override
    public boolean underStress() {
        return (long) total.get() * 100 >= (long) connections * SmtpLimits.STRESS_PERCENT;
    }
}
