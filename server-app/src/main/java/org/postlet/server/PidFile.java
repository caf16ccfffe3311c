package org.postlet.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The running server's process id in the spool folder, so {@code bin/postlet reload} can find the
 * server it is meant for. Removed when the server stops.
 */
public final class PidFile implements AutoCloseable {

    /** The file's name in the spool folder. */
    public static final String NAME = "postlet.pid";

    private final Path file;

    private PidFile(Path file) {
        this.file = file;
    }

    /** Writes this process's id to {@code file}. */
    public static PidFile write(Path file) throws IOException {
        Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        return new PidFile(file);
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

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
