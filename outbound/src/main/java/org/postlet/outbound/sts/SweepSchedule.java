package org.postlet.outbound.sts;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When a sweep of what MTA-STS no longer needs is due: at the first chance after start, then once
 * {@code every} has passed since the last. Called from delivery threads, as there is no periodic
 * task to hang a sweep on; exactly one caller is told a sweep is due, the others go on at once.
 */
final class SweepSchedule {

    private final Duration every;
    /** When the last sweep began; null before the first. */
    private final AtomicReference<Instant> last = new AtomicReference<>();

    SweepSchedule(Duration every) {
        this.every = every;
    }

    /** Whether the caller is to sweep now; if so, the next sweep is due {@code every} from {@code now}. */
    boolean due(Instant now) {
        Instant previous = last.get();
        if (previous != null && Duration.between(previous, now).compareTo(every) < 0) {
            return false;
        }
        return last.compareAndSet(previous, now); // false: another thread is sweeping
    }
}
