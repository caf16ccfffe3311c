package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.testsupport.Prerequisites;

/**
 * "250 only after fsync", seen from the kernel. A crash test with SIGKILL cannot show it: the page
 * cache outlives a killed process, so a server that never synced would pass. Here the server runs
 * under strace, and for every message it accepted the trace must show, before the {@code 250}
 * is written to the client's socket: the write of its record to a segment of the queue's log, then
 * an fdatasync of that segment, and an fsync of the log directory after the segment was created
 * (its name is durable). Many sessions finishing at once must share fdatasyncs (group commit):
 * fewer of them than messages.
 */
class FsyncBeforeReplyIT {

    private static final Pattern QUEUED_AS = Pattern.compile("queued as (\\S+)");
    private static final int CLIENTS = 12;
    private static final int ROUNDS = 4;

    @TempDir
    Path dir;

    @Test
    void everyAcceptedMessageIsFsyncedInTheQueuesLogBeforeThe250AndSessionsShareTheFsyncs() throws Exception {
        Prerequisites.requireCommand("strace", "strace");
        Prerequisites.require(straceCanTrace(), "strace cannot trace processes here (ptrace is not permitted; a container"
                + " needs CAP_SYS_PTRACE)");
        Installation inst = Installation.create(dir, 0, Installation.DEFAULT_PIPELINE);
        Path traceFile = dir.resolve("strace.out");
        PostletProcess server = PostletProcess.start(SyscallTrace.strace(traceFile), inst.conf, dir.resolve("postlet.log"),
                Duration.ofSeconds(120));
        List<String> alone = new ArrayList<>();
        List<String> together = Collections.synchronizedList(new ArrayList<>());
        try {
            // One session at a time: nothing to share.
            for (int i = 0; i < 3; i++) {
                try (RawSmtp smtp = new RawSmtp(server.port(), 30_000)) {
                    alone.add(queueId(smtp.send("s@example.com", List.of("alice@example.test"), message("alone-" + i))));
                }
            }
            // Many sessions ending their DATA at the same moment, several times.
            CyclicBarrier start = new CyclicBarrier(CLIENTS);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    try (RawSmtp smtp = new RawSmtp(server.port(), 30_000)) {
                        for (int r = 0; r < ROUNDS; r++) {
                            start.await(30, TimeUnit.SECONDS);
                            together.add(queueId(smtp.send("s@example.com", List.of("bob@example.test"),
                                    message("together-" + client + "-" + r))));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            clients.shutdown();
            Installation.awaitMessages(inst.inbox("bob"), CLIENTS * ROUNDS, Duration.ofSeconds(60));
        } finally {
            int exit = server.stop();
            assertThat(exit).as("exit code after SIGTERM; log:\n%s", server.tail(30)).isZero();
        }

        SyscallTrace trace = SyscallTrace.read(traceFile);
        Path log = inst.spool.resolve("log").toRealPath(); // strace shows the real path
        List<String> accepted = new ArrayList<>(alone);
        accepted.addAll(together);
        for (String id : accepted) {
            SyscallTrace.Call reply = trace.firstSocketWrite("queued as " + id).orElseThrow(
                    () -> new AssertionError("no 250 for " + id + " on a socket in " + traceFile));
            SyscallTrace.Call write = trace.calls().stream()
                    .filter(c -> c.name().startsWith("write") && c.succeeded() && c.target().startsWith(log + "/")
                            && c.data().contains(id))
                    .findFirst().orElseThrow(() -> new AssertionError("no write of " + id + " to a segment in " + log));
            Path segment = Path.of(write.target());
            assertThat(write.end()).as("the record of %s is written before its 250", id).isLessThan(reply.start());
            assertThat(trace.syncsOf(segment))
                    .as("an fdatasync of %s that began after the record of %s was written (line %d) and returned before its"
                            + " 250 (line %d)", segment, id, write.end() + 1, reply.start() + 1)
                    .anySatisfy(sync -> assertThat(sync.start() > write.end() && sync.end() < reply.start()).isTrue());
            SyscallTrace.Call created = trace.creationsOf(segment).stream().findFirst().orElseThrow(
                    () -> new AssertionError("no openat(O_CREAT) of " + segment + " in " + traceFile));
            assertThat(trace.syncsOf(log))
                    .as("an fsync of %s after %s was created (line %d), before the 250 of %s (line %d): the segment's"
                            + " name is durable", log, segment, created.end() + 1, id, reply.start() + 1)
                    .anySatisfy(sync -> assertThat(sync.start() > created.end() && sync.end() < reply.start()).isTrue());
        }

        // Group commit: the concurrent phase, from its first record's write to its last 250.
        int from = together.stream().mapToInt(id -> trace.calls().stream()
                .filter(c -> c.name().startsWith("write") && c.target().startsWith(log + "/") && c.data().contains(id))
                .findFirst().orElseThrow().start()).min().orElseThrow();
        int to = together.stream().mapToInt(id -> trace.firstSocketWrite("queued as " + id).orElseThrow().start()).max()
                .orElseThrow();
        long logSyncs = trace.calls().stream().filter(c -> c.isSync() && c.succeeded() && c.target().startsWith(log + "/")
                && c.start() >= from && c.end() < to).count();
        System.out.println("FsyncBeforeReplyIT: " + together.size() + " concurrent messages, " + logSyncs
                + " fdatasyncs of the queue's log");
        assertThat(logSyncs).as("fdatasyncs of %s while %d sessions delivered %d messages at once", log, CLIENTS,
                together.size()).isPositive().isLessThan(together.size());
    }

    private static String queueId(RawSmtp.Outcome outcome) {
        assertThat(outcome.accepted()).as("reply: %s", outcome).isTrue();
        Matcher m = QUEUED_AS.matcher(outcome.text());
        assertThat(m.find()).as("the 250 names the queue id: %s", outcome).isTrue();
        return m.group(1);
    }

    private static String message(String marker) {
        return "From: s@example.com\r\nSubject: " + marker + "\r\nX-Marker: " + marker + "\r\n\r\n"
                + "body of " + marker + "\r\n" + "x".repeat(2_000) + "\r\n";
    }

    /** Whether strace works in this environment (ptrace can be forbidden in a container). */
    private boolean straceCanTrace() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("strace", "-f", "-qq", "-o", dir.resolve("probe.out").toString(), "true")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(dir.resolve("probe.out")) > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
