package org.postlet.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postlet.server.config.ConfigProblem;

/**
 * The running server's answer to the last reload, in {@value #NAME} beside the pid file, so
 * {@code bin/postlet reload} reports what the server decided rather than that a signal was sent.
 * The first line is {@code pid P reload N reloaded|refused}; a refusal lists its problems below,
 * one per line, as {@code check} prints them.
 */
public final class ReloadStatus {

    /** The file's name in the spool folder. */
    public static final String NAME = "postlet.reload";

    private final Path file;

    public ReloadStatus(Path file) {
        this.file = file;
    }

    /**
     * The server's answer.
     *
     * @param accepted whether the new pipeline is in use
     * @param problems why it was refused; empty when accepted
     */
    public record Answer(boolean accepted, List<String> problems) {
        public Answer {
            problems = List.copyOf(problems);
        }
    }

    /** Writes the outcome of reload number {@code n} of this process, atomically (readers never see half a file). */
    public void write(long n, List<ConfigProblem> problems) throws IOException {
        StringBuilder text = new StringBuilder("pid " + ProcessHandle.current().pid() + " reload " + n + " "
                + (problems.isEmpty() ? "reloaded" : "refused") + "\n");
        problems.forEach(p -> text.append(p).append('\n'));
        Path tmp = file.resolveSibling(NAME + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The file's content now; empty if there is none. */
    public String current() throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /**
     * Waits until process {@code pid} writes an answer other than {@code before}.
     *
     * @return empty if it did not answer within {@code timeout}
     */
    public Optional<Answer> await(long pid, String before, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String now = current();
            List<String> lines = now.lines().toList();
            if (!now.equals(before) && !lines.isEmpty() && lines.get(0).startsWith("pid " + pid + " ")) {
                return Optional.of(new Answer(lines.get(0).endsWith(" reloaded"), new ArrayList<>(lines.subList(1, lines.size()))));
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }
}
