package org.postlet.maildir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * How a new directory entry becomes durable. A rename or link survives a crash only once its
 * directory is fsync'd; a store calls {@link #linked} after linking a message into {@code new/},
 * and the implementation either syncs at once ({@link #IMMEDIATE}) or records the directory for
 * one shared fsync that must happen before anything relies on the delivery.
 */
@FunctionalInterface
public interface DirectoryDurability {

    /** Every link is fsync'd before {@code deliver} returns. */
    DirectoryDurability IMMEDIATE = DirectoryDurability::fsync;

    /** A message was linked into {@code directory}. */
    void linked(Path directory) throws IOException;

    /** Makes the directory's entries durable: fsync on the directory itself. */
    static void fsync(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException e) {
            // Windows cannot open a directory as a file, so Java cannot fsync it there; NTFS journals
            // directory changes itself. Anywhere else the error is real and is reported.
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
                throw e;
            }
        }
    }
}
