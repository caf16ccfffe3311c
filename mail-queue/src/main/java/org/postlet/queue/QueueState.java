package org.postlet.queue;

/** Where a queued mail stands, as operators see it. */
public enum QueueState {
    /** Waiting to be taken, or being processed now. */
    ACTIVE,
    /** Failed temporarily; waits for its next attempt. */
    DEFERRED,
    /** Kept out of processing by an operator until released. */
    HELD
}
