package org.postlet.outbound.sts;

import java.time.Instant;

/**
 * A policy as fetched and cached.
 *
 * @param domain  the recipient domain it is for, lower-case
 * @param id      the id of the TXT record it was fetched under
 * @param policy  the policy
 * @param fetched when it was fetched; it expires {@code max_age} later
 * @param text    the body as fetched, which the cache keeps
 */
public record KnownPolicy(String domain, String id, StsPolicy policy, Instant fetched, String text) {

    /** When the policy stops applying unless fetched again. */
    public Instant expires() {
        return fetched.plus(policy.maxAge());
    }

    /** Whether it still applies at {@code now}. */
    public boolean validAt(Instant now) {
        return now.isBefore(expires());
    }
}
