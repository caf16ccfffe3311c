package org.postlet.queue;

import java.time.Instant;
import java.util.Optional;

/**
 * How much a queue holds.
 *
 * @param mails    the mails queued: waiting, being processed, deferred and held
 * @param deferred of those, the ones waiting for their next attempt after a temporary failure
 * @param held     of those, the ones an operator keeps out of processing
 * @param oldest   when the oldest of them arrived, if there is one
 */
public record QueueSize(int mails, int deferred, int held, Optional<Instant> oldest) {
}
