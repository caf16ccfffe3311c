package org.postlet.server.processing;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last mails the workers finished, newest first, for the console's "recent" list: a small
 * ring in memory, lost at restart (the log keeps the full story).
 */
public final class RecentOutcomes {

    /** How a mail's processing ended. */
    public enum Result {
        /** Every recipient is done: delivered, kept in a repository or bounced (see {@link Outcome#endedIn}). */
        DONE,
        /** Some recipients failed temporarily and wait for a retry. */
        DEFERRED,
        /** A step propagated its failure, or the pipeline broke: the mail stays queued. */
        FAILED
    }

    /**
     * One finished mail.
     *
     * @param at         when processing ended
     * @param id         the queue id
     * @param sender     the envelope sender, empty for the null sender
     * @param recipients the recipients processed
     * @param result     how it ended
     * @param endedIn    the processors its parts ended in, e.g. {@code local} or {@code error}
     * @param detail     the reason when deferred or failed, else empty
     */
    public record Outcome(Instant at, String id, String sender, List<String> recipients, Result result,
                          List<String> endedIn, String detail) {
        public Outcome {
            recipients = List.copyOf(recipients);
            endedIn = List.copyOf(endedIn);
        }
    }

    /** How many outcomes are kept by default: a screenful. */
    public static final int DEFAULT_CAPACITY = 50;

    private final int capacity;
    private final Deque<Outcome> ring = new ArrayDeque<>();

    public RecentOutcomes(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** Records an outcome, dropping the oldest when full. */
    public synchronized void add(Outcome outcome) {
        ring.addFirst(outcome);
        if (ring.size() > capacity) {
            ring.removeLast();
        }
    }

    /** The outcomes kept, newest first. */
    public synchronized List<Outcome> latest() {
        return List.copyOf(new ArrayList<>(ring));
    }
}
