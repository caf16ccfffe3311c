package org.postlet.queue.file;

import java.io.IOException;
import java.nio.file.FileStore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The usable space of the queue's file system for the free-space checks at MAIL and at enqueue.
 * Every check used to be a statfs(2), two per message. A reading is now reused for up to
 * {@link #MAX_AGE_NANOS}, but only while it exceeds the space asked for by more than
 * {@link #MARGIN}, more than the queue can take in within that time. So a check near the limit,
 * where the answer could change, always reads the file system again, and every refusal is based
 * on a fresh reading. Safe for use by several threads.
 */
final class FreeSpace {

    /** How long a reading may be reused. */
    static final long MAX_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How far above the space asked for a reading must be to be reused: 1 GiB, far more than 100 ms of mail. */
    static final long MARGIN = 1L << 30;

    /** One statfs(2) result and when it was taken. */
    private record Reading(long free, long atNanos) {
    }

    private final FileStore store;
    private final LongSupplier nanoTime;
    private volatile Reading last;

    /** @param nanoTime the monotonic clock, {@code System::nanoTime} outside tests */
    FreeSpace(FileStore store, LongSupplier nanoTime) {
        this.store = store;
        this.nanoTime = nanoTime;
    }

    /**
     * The usable bytes of the file system, as {@link FileStore#getUsableSpace()} says, read again
     * unless a recent reading shows far more than {@code needed} free.
     */
    long usable(long needed) throws IOException {
        long now = nanoTime.getAsLong();
        Reading reading = last;
        if (reading != null && now - reading.atNanos() < MAX_AGE_NANOS && needed <= reading.free() - MARGIN) {
            return reading.free();
        }
        long free = store.getUsableSpace();
        last = new Reading(free, now);
        return free;
    }
}
