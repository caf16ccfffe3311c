package org.postlet.smtp.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed AUTH attempts per client address, across sessions: a guesser who reconnects after each
 * session's limit is still stopped once its address has failed {@code limit} times within
 * {@link #WINDOW}. Until the window has passed, that address gets 454 4.7.0 without its
 * credentials being checked. Thread-safe; shared by every session of the server.
 */
public final class ClientAuthFailures {

    /** How long failures count against an address. */
    public static final Duration WINDOW = Duration.ofMinutes(10);

    /** Beyond this many addresses, expired entries are dropped so an attack cannot grow the map without bound. */
    private static final int PRUNE_ABOVE = 10_000;

    private record Failures(int count, Instant since) {
    }

    private final int limit;
    private final Clock clock;
    private final Map<InetAddress, Failures> byClient = new ConcurrentHashMap<>();

    public ClientAuthFailures(int limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /** Whether this address has failed too often recently to be allowed to try again now. */
    public boolean blocked(InetAddress client) {
        Failures f = byClient.get(client);
        return f != null && f.count() >= limit && !expired(f, clock.instant());
    }

    /** Counts one failed attempt from this address. */
    public void failed(InetAddress client) {
        Instant now = clock.instant();
        byClient.merge(client, new Failures(1, now),
                (old, one) -> expired(old, now) ? one : new Failures(old.count() + 1, old.since()));
        if (byClient.size() > PRUNE_ABOVE) {
            byClient.values().removeIf(f -> expired(f, now));
        }
    }

    /** A successful login forgets the address's failures. */
    public void succeeded(InetAddress client) {
        byClient.remove(client);
    }

    private static boolean expired(Failures f, Instant now) {
        return f.since().plus(WINDOW).isBefore(now);
    }
}
