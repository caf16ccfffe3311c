package org.postlet.queue;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes queue ids: 12 characters of Crockford base-32 (ASCII order, so ids sort as numbers) from the clock's microseconds, kept strictly
 * increasing within the process, so ids are unique across restarts, sort by arrival and are easy
 * to grep for in logs.
 */
public final class QueueIds {

    private static final char[] DIGITS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private final Clock clock;
    private final AtomicLong last = new AtomicLong();

    public QueueIds(Clock clock) {
        this.clock = clock;
    }

    /**
     * When an id was made, read back from the id itself; empty for a string that is not a queue id.
     * Lets the spool tell the age of its oldest message from file names alone.
     */
    public static Optional<Instant> timeOf(String id) {
        if (id.length() != 12) {
            return Optional.empty();
        }
        long value = 0;
        for (int i = 0; i < id.length(); i++) {
            int digit = Arrays.binarySearch(DIGITS, id.charAt(i));
            if (digit < 0) {
                return Optional.empty();
            }
            value = (value << 5) | digit;
        }
        return Optional.of(Instant.ofEpochSecond(value / 1_000_000L, (value % 1_000_000L) * 1_000));
    }

    /**
     * An id derived from {@code key}: the same key always gives the same id. For mail generated
     * because of another (a bounce, a forward), so that running the cause again finds it. It
     * starts with a lower-case {@code g}, which no time-based id has, so {@link #timeOf} knows it.
     */
    public static String derived(String key) {
        byte[] hash;
        try {
            hash = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        char[] out = new char[12];
        out[0] = 'g';
        for (int i = 1; i < out.length; i++) {
            out[i] = DIGITS[hash[i] & 31];
        }
        return new String(out);
    }

    /** Whether the id was made by {@link #derived}. */
    public static boolean isDerived(String id) {
        return id.startsWith("g");
    }

    /** A new id, greater than every id this instance made before. */
    public String next() {
        Instant now = clock.instant();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        long value = last.updateAndGet(prev -> Math.max(prev + 1, micros));
        char[] out = new char[12];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = DIGITS[(int) (value & 31)];
            value >>>= 5;
        }
        return new String(out);
    }
}
