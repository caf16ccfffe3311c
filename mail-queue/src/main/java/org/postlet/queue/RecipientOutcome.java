package org.postlet.queue;

import java.time.Duration;
import java.util.Objects;

/** What processing did for one recipient of a leased mail. */
public sealed interface RecipientOutcome {

    /** Finished with: delivered, or handed on to something that takes over (a bounce, a repository). */
    record Done() implements RecipientOutcome {
    }

    /**
     * Failed for a reason that may pass: try this recipient again after {@code delay}.
     *
     * @param delay  how long to wait
     * @param reason the failure, kept for operators and for the final error if retries run out
     */
    record Retry(Duration delay, String reason) implements RecipientOutcome {
        public Retry {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(reason, "reason");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("a retry delay cannot be negative: " + delay);
            }
        }
    }

    /**
     * Failed for good; the pipeline has already reported it (e.g. bounced). Finished with, like
     * {@link Done}, but recorded as a failure.
     *
     * @param reason the failure
     */
    record Failed(String reason) implements RecipientOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The one {@link Done} value. */
    RecipientOutcome DONE = new Done();
}
