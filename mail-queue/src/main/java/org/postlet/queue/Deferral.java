package org.postlet.queue;

import java.time.Instant;
import java.util.Objects;

/**
 * The temporary failures of a mail so far.
 *
 * @param attempts     how many attempts failed temporarily
 * @param firstFailure when the first one failed
 * @param nextAttempt  when the mail is due again
 * @param reason       the last failure
 */
public record Deferral(int attempts, Instant firstFailure, Instant nextAttempt, String reason) {

    public Deferral {
        Objects.requireNonNull(firstFailure, "firstFailure");
        Objects.requireNonNull(nextAttempt, "nextAttempt");
        Objects.requireNonNull(reason, "reason");
    }
}
