package org.postlet.maildir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.postlet.mailet.MailAddress;

/**
 * A message stored in a mailbox, and whether it is durable yet.
 *
 * <p>From {@link MaildirStore#deliver} it is <em>not</em> durable: {@link #pendingSync()} names the
 * directory whose fsync is still owed, and a crash before that fsync may lose the message. From
 * {@link MaildirStore#deliverDurably}, or after {@link #makeDurable()}, nothing is pending.
 *
 * @param recipient   the mailbox owner
 * @param file        the file in {@code new/}; readers see it at once, complete
 * @param size        the file's size in bytes, as given in its {@code ,S=} name suffix
 * @param pendingSync the fsync still owed before the message survives a crash; empty once it is durable
 */
public record DeliveryResult(MailAddress recipient, Path file, long size, Optional<PendingSync> pendingSync) {

    public DeliveryResult {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(pendingSync, "pendingSync");
    }

    /** Whether the message survives a crash: true only when no fsync is pending. */
    public boolean durable() {
        return pendingSync.isEmpty();
    }

    /**
     * Performs the pending fsync, if any.
     *
     * @return this delivery, durable
     * @throws IOException if the fsync failed; the message may then be lost in a crash
     */
    public DeliveryResult makeDurable() throws IOException {
        if (pendingSync.isEmpty()) {
            return this;
        }
        pendingSync.get().sync();
        return new DeliveryResult(recipient, file, size, Optional.empty());
    }
}
