package org.postlet.maildir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** fsync of a directory, which is what makes its new entries (a created file, a rename into it) survive a crash. */
final class Fsync {

    private Fsync() {
    }

    static void directory(Path directory) throws IOException {
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
