package org.postlet.queue;

import java.time.Instant;
import java.util.Optional;

/**
 * How much a queue holds.
 *
 * @param mails  the mails queued: waiting, being processed, deferred and held
 * @param oldest when the oldest of them arrived, if there is one
 */
public record QueueSize(int mails, Optional<Instant> oldest) {
}
