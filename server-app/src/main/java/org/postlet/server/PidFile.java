package org.postlet.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The running server's process id in the spool folder, so {@code bin/postlet reload} can find the
 * server it is meant for. Removed when the server stops, and only by the process it names: a
 * server that was refused the spool, or one whose file another has replaced, leaves it alone.
 */
public final class PidFile implements AutoCloseable {

    /** The file's name in the spool folder. */
    public static final String NAME = "postlet.pid";

    private final Path file;
    private final String content;

    private PidFile(Path file, String content) {
        this.file = file;
        this.content = content;
    }

    /** Writes this process's id to {@code file}; the caller must own the spool (see {@code FileMailQueue}, which locks it). */
    public static PidFile write(Path file) throws IOException {
        String content = ProcessHandle.current().pid() + "\n";
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        return new PidFile(file, content);
    }

    /** The process named by {@code file}, if it is there and that process is alive. */
    public static Optional<ProcessHandle> running(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return ProcessHandle.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip()))
                    .filter(ProcessHandle::isAlive);
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold a process id", e);
        }
    }

    /** Removes the file if it still names this process. */
    @Override
    public void close() throws IOException {
        try {
            if (!Files.readString(file, StandardCharsets.US_ASCII).equals(content)) {
                return; // another process's now
            }
        } catch (NoSuchFileException e) {
            return;
        }
        Files.deleteIfExists(file);
    }
}
