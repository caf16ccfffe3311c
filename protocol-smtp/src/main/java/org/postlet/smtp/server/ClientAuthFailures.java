package org.postlet.smtp.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AUTH attempts per client address, across sessions: a guesser who reconnects after each
 * session's limit, or opens many sessions at once, is still stopped once its address has tried
 * {@code limit} times within {@link #WINDOW} without success. An attempt counts when it
 * {@link #tryStart starts}, before the password is checked, so parallel sessions cannot have more
 * passwords checked than the limit while the first checks are still running; a successful attempt
 * gives its count back (and forgets the address's failures), one that could not be checked gives
 * its count back. Until the window has passed, an address at the limit gets 454 4.7.0 without
 * its credentials being checked. Thread-safe; shared by every session of the server.
 */
public final class ClientAuthFailures {

    /** How long attempts count against an address. */
    public static final Duration WINDOW = Duration.ofMinutes(10);

    /** Beyond this many addresses, expired entries are dropped so an attack cannot grow the map without bound. */
    private static final int PRUNE_ABOVE = 10_000;

    private record Attempts(int count, Instant since) {
    }

    private final int limit;
    private final Clock clock;
    private final Map<InetAddress, Attempts> byClient = new ConcurrentHashMap<>();

    public ClientAuthFailures(int limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /**
     * Counts an attempt about to be checked, if the address has not reached the limit.
     *
     * @return whether the credentials may be checked; when true, the attempt counts as failed
     *         unless {@link #succeeded} or {@link #unchecked} follows
     */
    public boolean tryStart(InetAddress client) {
        Instant now = clock.instant();
        boolean[] allowed = new boolean[1];
        byClient.compute(client, (address, old) -> {
            if (old == null || expired(old, now)) {
                allowed[0] = true;
                return new Attempts(1, now);
            }
            allowed[0] = old.count() < limit;
            return allowed[0] ? new Attempts(old.count() + 1, old.since()) : old;
        });
        if (byClient.size() > PRUNE_ABOVE) {
            byClient.values().removeIf(a -> expired(a, now));
        }
        return allowed[0];
    }

    /** A successful login forgets the address's failed attempts. */
    public void succeeded(InetAddress client) {
        byClient.remove(client);
    }

    /** An attempt whose credentials could not be checked (the password database failed) does not count. */
    public void unchecked(InetAddress client) {
        byClient.computeIfPresent(client, (address, a) -> a.count() <= 1 ? null : new Attempts(a.count() - 1, a.since()));
    }

    private static boolean expired(Attempts a, Instant now) {
        return a.since().plus(WINDOW).isBefore(now);
    }
}
