package org.postlet.server.processing;

import java.time.Duration;

/**
 * When deferred mail is tried again: after {@code firstDelay}, doubling up to {@code maxDelay},
 * until {@code giveUpAfter} has passed since the first failure; then the mail goes to the error
 * processor. Postfix's defaults are similar (queue lifetime 5 days).
 *
 * @param firstDelay  the wait after the first temporary failure
 * @param maxDelay    the longest wait between attempts
 * @param giveUpAfter how long a mail may keep failing temporarily
 */
public record RetryPolicy(Duration firstDelay, Duration maxDelay, Duration giveUpAfter) {

    /** One minute, doubling up to one hour, for five days. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(5));

    /** The wait before attempt {@code attempts + 1}, given {@code attempts} failed ones. */
    public Duration delayAfter(int attempts) {
        Duration d = firstDelay;
        for (int i = 1; i < attempts && d.compareTo(maxDelay) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }
}
