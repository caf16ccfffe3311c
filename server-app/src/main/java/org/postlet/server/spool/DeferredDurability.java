package org.postlet.server.spool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.postlet.maildir.DirectoryDurability;

/**
 * Lets deliveries made while a worker processes one mail skip their own directory fsync: the
 * directories are collected for that mail, and the {@link QueueRunner} syncs them, shared with
 * the other mails finishing at the same time, before it removes the mail from the spool. If the
 * server dies first, the mail is still in the spool and is run again as a possible redelivery,
 * and delivery mailets skip what did reach the disk.
 *
 * <p>Outside a mail's processing (another thread, a test), a link is fsync'd at once.
 */
public final class DeferredDurability implements DirectoryDurability {

    private final ThreadLocal<Set<Path>> pending = new ThreadLocal<>();

    @Override
    public void linked(Path directory) throws IOException {
        Set<Path> directories = pending.get();
        if (directories == null) {
            DirectoryDurability.fsync(directory);
        } else {
            directories.add(directory);
        }
    }

    /** Starts collecting on this thread, for one mail. */
    void begin() {
        pending.set(new LinkedHashSet<>());
    }

    /** Stops collecting on this thread; returns the directories that still need their fsync. */
    Set<Path> end() {
        Set<Path> directories = pending.get();
        pending.remove();
        return directories == null ? Set.of() : directories;
    }
}
