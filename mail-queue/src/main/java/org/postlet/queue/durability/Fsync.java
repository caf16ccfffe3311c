package org.postlet.queue.durability;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync for what Java has no direct call for: a directory, whose fsync makes its entries (new names) durable. */
public final class Fsync {

    private Fsync() {
    }

    /** Makes the entries of {@code directory} durable. */
    public static void directory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Windows cannot open a directory as a file, so Java cannot fsync it there; NTFS journals
            // its metadata, which is the guarantee the fsync gives elsewhere.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }
}
