package org.postlet.server.durability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/postlet run --conf DIR} as a separate process, as an operator runs it. Its output goes
 * to a log file (one per start), which is where the test reads the ready line from and what it
 * shows when something goes wrong.
 */
final class PostletProcess {

    static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path LAUNCHER = HOME.resolve("bin/postlet");
    private static final Pattern READY = Pattern.compile("Postlet ready: .*mx=127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path log;
    private final int port;
    private final boolean wrapped;

    private PostletProcess(Process process, Path log, int port, boolean wrapped) {
        this.process = process;
        this.wrapped = wrapped;
        this.log = log;
        this.port = port;
    }

    /** Starts the server and waits (up to {@code timeout}) for its ready line. */
    static PostletProcess start(Path conf, Path log, Duration timeout) throws IOException, InterruptedException {
        return start(List.of(), conf, log, timeout);
    }

    /**
     * Starts the server under {@code wrapper} (e.g. {@code strace -f -o FILE}), which must run the
     * rest of its command line and pass signals on; waits for the ready line.
     */
    static PostletProcess start(List<String> wrapper, Path conf, Path log, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(LAUNCHER.toString(), "run", "--conf", conf.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = READY.matcher(out);
            if (m.find()) {
                return new PostletProcess(p, log, Integer.parseInt(m.group(1)), !wrapper.isEmpty());
            }
            if (!p.isAlive()) {
                throw new AssertionError("bin/postlet run exited with " + p.exitValue() + " before it was ready:\n" + out);
            }
            Thread.sleep(50);
        }
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("bin/postlet run did not report ready within " + timeout.toSeconds() + " s:\n"
                + Files.readString(log, StandardCharsets.UTF_8));
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** SIGKILL: the JVM gets no chance to finish anything (bin/postlet exec's java, so this is the JVM). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not die within 30 s of SIGKILL");
        }
    }

    /**
     * SIGTERM, the graceful stop; returns the exit code. Under a wrapper the signal goes to the
     * server itself (the wrapper's child): strace, for one, does not pass on a SIGTERM it gets.
     */
    int stop() throws InterruptedException {
        ProcessHandle server = wrapped ? process.toHandle().children().findFirst().orElse(process.toHandle()) : process.toHandle();
        server.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the server did not stop within 60 s of SIGTERM; killed it");
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Kills the process if it still runs; for finally blocks. */
    void destroyQuietly() {
        process.descendants().forEach(ProcessHandle::destroyForcibly); // a wrapper's child would outlive it
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }
}
