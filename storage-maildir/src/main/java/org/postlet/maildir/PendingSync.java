package org.postlet.maildir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An fsync a delivery still owes: the message file is on disk, but its name in {@code directory}
 * (the maildir's {@code new/}) survives a crash only once that directory is fsync'd. Until then a
 * crash may lose the message although {@link MaildirStore#deliver} returned.
 *
 * <p>Whoever holds it must either call {@link #sync()} or hand {@link #directory()} on to someone who
 * syncs it (the server, through {@code Mail.syncDirectoryBeforeProcessed}) before the delivery counts
 * as done. One fsync of a directory covers every message renamed into it before, so many deliveries
 * to one mailbox can share it.
 *
 * @param directory the directory whose fsync is owed
 */
public record PendingSync(Path directory) {

    public PendingSync {
        Objects.requireNonNull(directory, "directory");
    }

    /** Makes the entries of {@link #directory()} durable now (fsync on the directory). */
    public void sync() throws IOException {
        Fsync.directory(directory);
    }
}
