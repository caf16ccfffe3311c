package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.testing.TestConfiguration;
import org.postlet.testsupport.Prerequisites;

/**
 * {@code bin/postlet} as an operator runs it, against the packaged build: {@code check} on good
 * and bad configurations, and {@code run} taking mail from real command-line clients (nc typing
 * the classic session, swaks) until SIGTERM stops it with exit code 0.
 */
class LauncherIT {

    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path LAUNCHER = HOME.resolve("bin/postlet");

    @TempDir
    Path dir;

    private static Process launch(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void checkAcceptsTheShippedConfiguration() throws Exception {
        Process p = launch("check", "--conf", TestConfiguration.committedConf(dir.resolve("conf")).toString());
        String out = finish(p);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("postlet.yaml: valid");
    }

    @Test
    void checkListsEveryProblemAsFileLineProblemFix() throws Exception {
        TestInstallation inst = new TestInstallation(dir, 2525);
        Files.writeString(inst.conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: LogMessage }
                      - { match: All, class: Teleport }
                      - { match: All, class: ToProcessor, processor: nowhere }
                """);
        Process p = launch("check", "--conf", inst.conf.toString());
        String out = finish(p);
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains(inst.conf.resolve("pipeline.yaml") + ":5: unknown mailet 'Teleport' — ");
        assertThat(out).contains(inst.conf.resolve("pipeline.yaml") + ":6: ToProcessor sends mail to processor 'nowhere'");
    }

    @Test
    void requeueRefusesAFileThatIsNotAKeptMail() throws Exception {
        TestInstallation inst = new TestInstallation(dir, 2525);
        Path notAMail = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Process p = launch("requeue", "--conf", inst.conf.toString(), notAMail.toString());
        String out = finish(p);
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("not requeued: " + notAMail + ": not a Postlet mail file");
        assertThat(notAMail).exists();
    }

    @Test
    void requeuePutsAKeptMailBackAndTheRunningServerDeliversIt() throws Exception {
        TestInstallation inst = new TestInstallation(dir, 0);
        // The first pass marks the mail and keeps it; the marked mail, requeued, is delivered.
        Files.writeString(inst.conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: "HasMailAttribute=held-once", class: ToProcessor, processor: local }
                      - { match: All, class: SetMailAttribute, name: held-once, value: "yes" }
                      - { match: All, class: ToRepository, path: ../var/held }
                  - state: local
                    mailets:
                      - { match: All, class: LocalDelivery }
                """);
        Running server = new Running(inst.conf);
        try {
            int port = server.port();
            send(port, "held then requeued");
            Path kept = TestInstallation.awaitFiles(inst.root.resolve("var/held"), 1).get(0);
            assertThat(inst.maildir.resolve("example.test/alice/new")).as("kept, not delivered").doesNotExist();

            Process requeue = launch("requeue", "--conf", inst.conf.toString(), kept.toString());
            String out = finish(requeue);
            assertThat(requeue.exitValue()).as(out).isZero();
            assertThat(out).contains(kept + ": requeued as " + kept.getFileName());
            assertThat(kept).as("moved, so it cannot be requeued twice").doesNotExist();

            String delivered = Files.readString(inst.awaitMail("alice", 1).get(0));
            assertThat(delivered).contains("Subject: held then requeued\n").endsWith("held then requeued\n");
            awaitLine(server.lines, kept.getFileName() + " picked up from maildrop");
        } finally {
            server.stop();
        }
        assertThat(server.exitCode()).as(server.log()).isZero();
        assertThat(TestInstallation.awaitFiles(inst.maildir.resolve("example.test/alice/new"), 1)).hasSize(1);
    }

    @Test
    void traceShowsEachRecipientsPathAndWritesNothing() throws Exception {
        TestInstallation inst = new TestInstallation(dir, 2525);
        Files.writeString(inst.conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: LogMessage }
                      - { match: RecipientIsLocal, class: ToProcessor, processor: local }
                      - { match: All, class: ToRepository, path: ../var/error }
                  - state: local
                    mailets:
                      - { match: All, class: LocalDelivery, folder: Junk }
                """);
        Path eml = Files.writeString(dir.resolve("m.eml"), "From: a@example.com\nSubject: t\n\nbody\n");
        Process p = launch("trace", "--conf", inst.conf.toString(), "--from", "a@example.com", "--to",
                "alice@example.test,carol@elsewhere.example", eml.toString());
        String out = finish(p);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("""
                alice@example.test:
                  root[0] All -> LogMessage
                  root[1] RecipientIsLocal -> ToProcessor local => local
                  local[0] All -> LocalDelivery => ghost
                  ended in ghost
                carol@elsewhere.example:
                  root[0] All -> LogMessage
                  root[2] All -> ToRepository""");
        assertThat(out).contains("would deliver to maildir alice@example.test folder Junk");
        assertThat(dir.resolve("var")).doesNotExist();
    }

    @Test
    void passwdPrintsAHashThatTheServerAccepts() throws Exception {
        for (String scheme : List.of("SHA512-CRYPT", "BLF-CRYPT")) {
            Process p = launch("passwd", "--scheme", scheme);
            p.getOutputStream().write("s3cret pass\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String all = finish(p).strip();
            assertThat(p.exitValue()).as(all).isZero();
            String out = all.substring(all.lastIndexOf('\n') + 1); // the hash is the last line (stdout)
            assertThat(out).startsWith("{" + scheme + "}$");
            assertThat(org.postlet.server.auth.PasswordHashes.matches(out, "s3cret pass")).isTrue();
            assertThat(org.postlet.server.auth.PasswordHashes.matches(out, "wrong")).isFalse();
        }
    }

    @Test
    void passwdOnATerminalPromptsTwiceAndDoesNotEcho() throws Exception {
        Prerequisites.requireCommand("script", "bsdutils"); // script(1) gives the test a terminal
        // script(1) runs the command on a pseudo-terminal, as when a person types at it.
        Process p = new ProcessBuilder("script", "-q", "-e", "-c", LAUNCHER + " passwd", "/dev/null").redirectErrorStream(true).start();
        StringBuffer screen = new StringBuffer();
        Thread reader = new Thread(() -> {
            try {
                for (int c; (c = p.getInputStream().read()) >= 0; ) {
                    screen.append((char) c);
                }
            } catch (IOException e) {
                screen.append("reader failed: ").append(e);
            }
        });
        reader.start();
        try {
            awaitScreen(screen, "New password: ");
            p.getOutputStream().write("tty s3cret\r".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            awaitScreen(screen, "Repeat the password: ");
            p.getOutputStream().write("tty s3cret\r".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            awaitScreen(screen, "{SHA512-CRYPT}$6$");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join(5000);
            assertThat(p.exitValue()).as(screen.toString()).isZero();
            assertThat(screen.toString()).doesNotContain("s3cret");
            String hash = screen.toString().lines().filter(l -> l.startsWith("{SHA512-CRYPT}")).findFirst().orElseThrow().strip();
            assertThat(org.postlet.server.auth.PasswordHashes.matches(hash, "tty s3cret")).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    private static void awaitScreen(StringBuffer screen, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!screen.toString().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + text + "' did not appear within 60 s; the terminal shows:\n" + screen);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void unknownCommandIsAUsageError() throws Exception {
        Process p = launch("frobnicate");
        String out = finish(p);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("usage: postlet");
    }

    @Test
    void runTakesMailFromNcAndSwaksAndStopsCleanlyOnSigterm() throws Exception {
        Prerequisites.requireCommand("nc", "netcat-openbsd");
        Prerequisites.requireCommand("swaks", "swaks");
        TestInstallation inst = new TestInstallation(dir, 0);
        Running server = new Running(inst.conf);
        try {
            int port = server.port();

            String session = "HELO localhost\r\nMAIL FROM:<user1@example.com>\r\nRCPT TO:<alice@example.test>\r\n"
                    + "DATA\r\nSubject: typed with nc\r\n\r\nhello from nc\r\n.\r\nQUIT\r\n";
            Process nc = new ProcessBuilder("nc", "-N", "-w", "10", "127.0.0.1", Integer.toString(port)).redirectErrorStream(true).start();
            nc.getOutputStream().write(session.getBytes(StandardCharsets.US_ASCII));
            nc.getOutputStream().close();
            String replies = finish(nc);
            assertThat(replies).containsPattern("(?s)^220 .*\r\n250 .*\r\n250 .*\r\n250 .*\r\n354 .*\r\n250 .*queued as .*\r\n221 ");
            assertThat(Files.readString(inst.awaitMail("alice", 1).get(0))).contains("hello from nc\n");
            Process swaks = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", Integer.toString(port), "--from",
                    "swaks@example.com", "--to", "bob@example.test", "--helo", "swaks.example", "--header",
                    "Subject: sent by swaks", "--body", "swaks body").redirectErrorStream(true).start();
            String out = finish(swaks);
            assertThat(swaks.exitValue()).as(out).isZero();
            assertThat(Files.readString(inst.awaitMail("bob", 1).get(0))).contains("Subject: sent by swaks").contains("swaks body");
        } finally {
            server.stop();
        }
        assertThat(server.exitCode()).as(server.log()).isZero();
        assertThat(server.log()).contains("Postlet stopped");
    }

    @Test
    void reloadSwapsAValidPipelineInAndRefusesABrokenOne() throws Exception {
        TestInstallation inst = new TestInstallation(dir, 0);
        Path pipeline = inst.conf.resolve("pipeline.yaml");
        Files.writeString(pipeline, """
                processors:
                  - state: root
                    mailets:
                      - { match: RecipientIsLocal, class: LocalDelivery }
                      - { match: All, class: Null }
                """);
        Running server = new Running(inst.conf);
        try {
            int port = server.port();
            send(port, "before");
            inst.awaitMail("alice", 1);

            Files.writeString(pipeline, """
                    processors:
                      - state: root
                        mailets:
                          - { match: RecipientIsLocal, class: LocalDelivery, folder: Junk }
                          - { match: All, class: Null }
                    """);
            Process reload = launch("reload", "--conf", inst.conf.toString());
            String out = finish(reload);
            assertThat(reload.exitValue()).as(out).isZero();
            awaitLine(server.lines, "pipeline reloaded");
            send(port, "after");
            assertThat(Files.readString(TestInstallation.awaitFiles(
                    inst.maildir.resolve("example.test/alice/.Junk/new"), 1).get(0))).contains("after");

            Files.writeString(pipeline, "processors:\n  - state: root\n    mailets:\n      - { match: All, class: Teleport }\n");
            Process broken = launch("reload", "--conf", inst.conf.toString());
            String brokenOut = finish(broken);
            assertThat(broken.exitValue()).as(brokenOut).isEqualTo(1);
            assertThat(brokenOut).contains("pipeline.yaml:4: unknown mailet 'Teleport'").contains("keeps its pipeline");
            send(port, "still junk");
            TestInstallation.awaitFiles(inst.maildir.resolve("example.test/alice/.Junk/new"), 2);
        } finally {
            server.stop();
        }
        assertThat(server.exitCode()).as(server.log()).isZero();
        assertThat(inst.spool.resolve("postlet.pid")).doesNotExist();
    }

    @Test
    void queueCommandsFindHoldReleaseFlushAndDeleteADeferredMailOfTheRunningServer() throws Exception {
        TestInstallation inst = new TestInstallation(dir, 0);
        inst.enableAdmin("launcher-test-token-0123456789", 10); // every mailbox over quota: the mail stays deferred
        String conf = inst.conf.toString();
        Running server = new Running(inst.conf);
        try {
            send(server.port(), "stuck");
            String id = null;
            for (int i = 0; i < 100 && id == null; i++) {
                Process list = launch("queue", "list", "--conf", conf);
                String out = finish(list);
                assertThat(list.exitValue()).as(out).isZero();
                Matcher line = Pattern.compile("(?m)^(\\w+)  \\d+s  \\d+  a@example\\.com  alice@example\\.test  deferred  .*over quota.*$")
                        .matcher(out);
                id = line.find() ? line.group(1) : null;
                Thread.sleep(100);
            }
            assertThat(id).as("the deferred mail listed").isNotNull();

            assertThat(queue(conf, "hold", id)).isEqualTo(id + ": held\n");
            assertThat(queue(conf, "list")).contains("  held");
            assertThat(queue(conf, "show", id)).contains("id: " + id + "\n", "state: held\n", "sender: a@example.com\n",
                    "recipient: alice@example.test (to do)\n", "last error: ", "over quota", "processor: root\n",
                    "\nReceived: from t ", "Subject: stuck\n");
            assertThat(queue(conf, "release", id)).isEqualTo(id + ": released\n");
            assertThat(queue(conf, "list")).contains("  deferred  ");
            assertThat(queue(conf, "flush")).isEqualTo("1 deferred mail(s) will be tried again now\n");
            assertThat(queue(conf, "delete", id)).isEqualTo(id + ": deleted\n");
            assertThat(queue(conf, "list")).doesNotContain(id);
            Process again = launch("queue", "show", id, "--conf", conf);
            String gone = finish(again);
            assertThat(again.exitValue()).isEqualTo(1);
            assertThat(gone).contains("no mail " + id + " in the queue");
            awaitLine(server.lines, "admin API: queue mail " + id + " deleted by");
        } finally {
            server.stop();
        }
        Process stopped = launch("queue", "list", "--conf", conf);
        String out = finish(stopped);
        assertThat(stopped.exitValue()).isEqualTo(1);
        assertThat(out).contains("postlet queue list: no server is running with this configuration");
    }

    @Test
    void repositoryCommandsListShowRequeueAndDeleteAMailKeptInError() throws Exception {
        TestInstallation inst = new TestInstallation(dir, 0);
        inst.enableAdmin("launcher-test-token-0123456789", 0);
        String conf = inst.conf.toString();
        Running server = new Running(inst.conf);
        try {
            int port = server.port();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.getOutputStream().write(("HELO t\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<carol@elsewhere.example>\r\nDATA\r\n"
                        + "Subject: nowhere to go\r\n\r\nbody\r\n.\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getInputStream().readAllBytes();
            }
            String id = TestInstallation.awaitFiles(inst.root.resolve("var/error"), 1).get(0).getFileName().toString();
            assertThat(command(conf, "repository", "list")).contains("relay  0  " + inst.root.resolve("var/relay") + "\n",
                    "error  1  " + inst.root.resolve("var/error") + "\n");
            assertThat(command(conf, "repository", "list", "error")).containsPattern("(?m)^" + id
                    + "  \\d+s  \\d+  a@example\\.com  carol@elsewhere\\.example  no local mailbox and no remote delivery$");
            assertThat(command(conf, "repository", "show", "error", id)).contains("id: " + id + "\n",
                    "recipient: carol@elsewhere.example\n", "error: no local mailbox", "\nSubject: nowhere to go\n");
            Matcher requeued = Pattern.compile("error/" + id + ": requeued as (\\w+)\n")
                    .matcher(command(conf, "repository", "requeue", "error", id));
            assertThat(requeued.find()).isTrue();
            // the same pipeline keeps it in error again, under its new id
            TestInstallation.awaitFiles(inst.root.resolve("var/error"), 1);
            assertThat(inst.root.resolve("var/error/" + id)).doesNotExist();
            String again = requeued.group(1);
            for (int i = 0; i < 100 && !Files.exists(inst.root.resolve("var/error/" + again)); i++) {
                Thread.sleep(100);
            }
            assertThat(command(conf, "repository", "delete", "error", again)).isEqualTo("error/" + again + ": deleted\n");
            assertThat(inst.root.resolve("var/error/" + again)).doesNotExist();
            Process missing = launch("repository", "show", "error", again, "--conf", conf);
            String out = finish(missing);
            assertThat(missing.exitValue()).isEqualTo(1);
            assertThat(out).contains("no mail " + again + " in repository error");
        } finally {
            server.stop();
        }
    }

    /** Runs a queue command that must succeed and returns its standard output. */
    private static String queue(String conf, String... words) throws Exception {
        String[] all = new String[words.length + 1];
        all[0] = "queue";
        System.arraycopy(words, 0, all, 1, words.length);
        return command(conf, all);
    }

    /** Runs a command that must succeed with {@code --conf conf} and returns its standard output. */
    private static String command(String conf, String... words) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(words));
        command.addAll(List.of("--conf", conf));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = finish(p);
        assertThat(p.exitValue()).as(String.join(" ", words) + ": " + out).isZero();
        return out;
    }

    /** {@code bin/postlet run} in the background; its output lines as they come, and all of them. */
    private static final class Running {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder log = new StringBuilder();
        private final Process process;
        private final Thread reader;

        Running(Path conf) throws IOException {
            this(launch("run", "--conf", conf.toString()));
        }

        Running(Process process) {
            this.process = process;
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                    }
                } catch (IOException e) {
                    lines.add("reader failed: " + e);
                }
            });
            reader.start();
        }

        int port() throws InterruptedException {
            return awaitPort(lines);
        }

        /** SIGTERM, keeping our end of its output open (Process.destroy would close it). */
        void stop() throws InterruptedException {
            process.toHandle().destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
            reader.join(5000);
        }

        int exitCode() {
            return process.exitValue();
        }

        long pid() {
            return process.pid();
        }

        String log() {
            synchronized (log) {
                return log.toString();
            }
        }
    }

    /**
     * An unpacked distribution in a temporary folder: {@code bin/postlet} and {@code lib/} holding
     * copies of the packaged server's jars, with an empty {@code lib/ext}, so a test can add jars
     * there without touching the checkout.
     */
    private Path distribution() throws IOException {
        Path home = Files.createDirectories(dir.resolve("dist"));
        Files.createDirectories(home.resolve("bin"));
        Files.copy(LAUNCHER, home.resolve("bin/postlet"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Path lib = Files.createDirectories(home.resolve("lib/ext")).getParent();
        Path target = HOME.resolve("server-app/target");
        Files.copy(target.resolve("postlet-server.jar"), lib.resolve("postlet-server.jar"));
        try (java.util.stream.Stream<Path> jars = Files.list(target.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, lib.resolve(jar.getFileName()));
            }
        }
        return home;
    }

    private static Process launchFrom(Path home, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(home.resolve("bin/postlet").toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    @Test
    void reloadLoadsAJarAddedToLibExtAndSaysWhatTheServerDecided() throws Exception {
        Path home = distribution();
        TestInstallation inst = new TestInstallation(dir.resolve("inst"), 0);
        Path pipeline = inst.conf.resolve("pipeline.yaml");
        Files.writeString(pipeline, """
                processors:
                  - state: root
                    mailets:
                      - { match: RecipientIsLocal, class: LocalDelivery }
                      - { match: All, class: Null }
                """);
        Running server = new Running(launchFrom(home, "run", "--conf", inst.conf.toString()));
        try {
            int port = server.port();
            CustomMailetIT.buildExampleJar(home.resolve("lib/ext/stamp-mailet.jar"), dir);
            Files.writeString(pipeline, """
                    processors:
                      - state: root
                        mailets:
                          - { match: All, class: %s, stamp: reloaded }
                          - { match: RecipientIsLocal, class: LocalDelivery }
                          - { match: All, class: Null }
                    """.formatted(CustomMailetIT.CLASS));
            Process reload = launchFrom(home, "reload", "--conf", inst.conf.toString());
            String out = finish(reload);
            assertThat(reload.exitValue()).as(out).isZero();
            assertThat(out).contains("reloaded: process " + server.pid() + " uses the new pipeline");
            send(port, "stamped");
            assertThat(Files.readString(inst.awaitMail("alice", 1).get(0))).contains("X-Stamp: reloaded by mx.example.test");

            // The server refuses a pipeline it cannot build: the command says so with the server's reasons.
            Files.writeString(pipeline, "processors:\n  - state: root\n    mailets:\n      - { match: All, class: org.example.Gone }\n");
            Process refused = launchFrom(home, "reload", "--conf", inst.conf.toString());
            String refusedOut = finish(refused);
            assertThat(refused.exitValue()).as(refusedOut).isEqualTo(1);
            assertThat(refusedOut).contains(pipeline + ":4: mailet class org.example.Gone is not on the class path nor in lib/ext")
                    .contains("the running server (process " + server.pid() + ") refused the new pipeline and keeps its pipeline");
        } finally {
            server.stop();
        }
    }

    private static void send(int port, String body) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("HELO t\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
                    + "Subject: " + body + "\r\n\r\n" + body + "\r\n.\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().readAllBytes();
        }
    }

    private static void awaitLine(BlockingQueue<String> lines, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.contains(text)) {
                return;
            }
        }
        throw new AssertionError("no log line with '" + text + "' within 30 s");
    }

    private static int awaitPort(BlockingQueue<String> lines) throws InterruptedException {
        Pattern ready = Pattern.compile("Postlet ready: .*mx=127\\.0\\.0\\.1:(\\d+)");
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            seen.append(line).append('\n');
            Matcher m = ready.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("server did not report ready within 120 s:\n" + seen);
    }

}
