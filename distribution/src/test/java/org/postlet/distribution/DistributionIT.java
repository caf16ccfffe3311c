package org.postlet.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * What an operator does with the tarball: unpack it anywhere, point the shipped configuration at a
 * port and folders, {@code bin/postlet run}, send mail, stop with SIGTERM. Only a JDK is needed; the
 * source checkout is not on the way (the installation is in a temporary folder).
 */
class DistributionIT {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theTarballHasTheDocumentedLayout() throws Exception {
        Path home = Tarball.unpack(dir);

        assertThat(home.resolve("bin/postlet")).isRegularFile().isExecutable();
        assertThat(home.resolve("lib/ext/README.txt")).isRegularFile();
        assertThat(home.resolve("conf/postlet.yaml")).isRegularFile();
        assertThat(home.resolve("conf/pipeline.yaml")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("docs/configuration.md")).isRegularFile();
        assertThat(home.resolve("docs/operations.md")).isRegularFile();
        assertThat(home.resolve("packaging/postlet.service")).isRegularFile();
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList())
                    .anyMatch(n -> n.startsWith("server-app-"))
                    .anyMatch(n -> n.startsWith("protocol-smtp-"))
                    .anyMatch(n -> n.startsWith("logback-classic-"))
                    .noneMatch(n -> n.startsWith("junit-") || n.startsWith("assertj-"));
        }
    }

    @Test
    void theUnpackedServerReceivesAMessageAndStopsCleanlyOnSigterm() throws Exception {
        Path home = Tarball.unpack(dir);
        Path conf = home.resolve("conf");
        Path spool = dir.resolve("data/spool");
        Path maildir = dir.resolve("data/mail");
        int port = freePort();
        String recipient = "alice@example.test";
        configure(conf, port, spool, maildir);

        Process check = new ProcessBuilder(home.resolve("bin/postlet").toString(), "check", "--conf", conf.toString())
                .redirectErrorStream(true).start();
        String checkOut = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as("bin/postlet check:\n" + checkOut).isZero();

        Path log = dir.resolve("postlet.log");
        Process server = new ProcessBuilder(home.resolve("bin/postlet").toString(), "run", "--conf", conf.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitGreeting(server, port, log);

            List<String> replies = sendMessage(port, recipient);
            assertThat(replies).as("SMTP replies; server log:\n" + read(log)).last().asString().startsWith("221");
            assertThat(replies.get(replies.size() - 2)).as("reply to the end of DATA").startsWith("250");

            String domain = recipient.substring(recipient.indexOf('@') + 1);
            String local = recipient.substring(0, recipient.indexOf('@'));
            Path inbox = maildir.resolve(domain).resolve(local).resolve("new");
            Path delivered = awaitFile(inbox, Duration.ofSeconds(30), log);
            assertThat(Files.readString(delivered, StandardCharsets.ISO_8859_1))
                    .contains("Delivered-To: " + recipient, "Subject: from the tarball", "Hello from DistributionIT.");

            server.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
            assertThat(server.exitValue()).as("exit code after SIGTERM; log:\n" + read(log)).isZero();
            // The JVM's own warnings (restricted methods, sun.misc.Unsafe on JDK 24+) are noise to an
            // operator; the launcher's options keep them away on whichever JDK it picked.
            assertThat(read(log).lines().filter(l -> l.startsWith("WARNING:")))
                    .as("JVM warnings in the log:\n" + read(log)).isEmpty();
        } finally {
            if (server.isAlive()) {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** What the test delivers with; the packaged conf/ is the user's and may have steps from lib/ext. */
    private static final String PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: RecipientIsLocal, class: LocalDelivery }
                  - { match: All, class: ToProcessor, processor: error }
              - state: error
                mailets:
                  - { match: All, class: ToRepository, path: ../var/error }
            """;

    /**
     * Rewrites the packaged postlet.yaml with only what must differ here: one plain listener on a
     * free loopback port, spool and Maildirs in the test folder, no metrics port, and the test's
     * own domain, users and pipeline (conf/ is whatever the checkout held at build time, e.g. a
     * step with a custom mailet whose jar is not in this tarball). Every other key stays as packaged.
     */
    @SuppressWarnings("unchecked")
    static void configure(Path conf, int port, Path spool, Path maildir) throws IOException {
        Path file = conf.resolve("postlet.yaml");
        Files.writeString(conf.resolve("test-users.passwd"), "alice@example.test:{PLAIN}alice\n", StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("test-pipeline.yaml"), PIPELINE, StandardCharsets.UTF_8);
        Map<String, Object> yaml = new Yaml().load(Files.readString(file, StandardCharsets.UTF_8));
        yaml.put("domains", List.of("example.test"));
        yaml.put("users", "test-users.passwd");
        yaml.put("pipeline", "test-pipeline.yaml");
        yaml.remove("aliases");
        Map<String, Object> smtp = (Map<String, Object>) yaml.computeIfAbsent("smtp", k -> new LinkedHashMap<>());
        Map<String, Object> listener = new LinkedHashMap<>();
        listener.put("name", "mx");
        listener.put("bind", "127.0.0.1");
        listener.put("port", port);
        listener.put("tls", "none");
        listener.put("auth", "none");
        smtp.put("listeners", List.of(listener));
        yaml.remove("tls");
        yaml.remove("metrics");
        yaml.put("spool", spool.toString());
        Map<String, Object> storage = (Map<String, Object>) yaml.computeIfAbsent("storage", k -> new LinkedHashMap<>());
        Map<String, Object> md = (Map<String, Object>) storage.computeIfAbsent("maildir", k -> new LinkedHashMap<>());
        md.put("root", maildir.toString());
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(file, new Yaml(options).dump(yaml), StandardCharsets.UTF_8);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until the server answers with a greeting; fails early when it exits. */
    static void awaitGreeting(Process server, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("bin/postlet run exited with " + server.exitValue() + ":\n" + read(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                s.setSoTimeout(5000);
                String greeting = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if (greeting != null && greeting.startsWith("220")) {
                    s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("no SMTP greeting on port " + port + " within " + START_TIMEOUT.toSeconds() + " s:\n" + read(log));
    }

    /** HELO, MAIL, RCPT, DATA, QUIT over a raw socket; returns the last line of every reply. */
    private static List<String> sendMessage(int port, String recipient) throws IOException {
        List<String> replies = new ArrayList<>();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            replies.add(reply(in));
            for (String line : List.of("HELO client.example", "MAIL FROM:<sender@client.example>", "RCPT TO:<" + recipient + ">",
                    "DATA")) {
                out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String r = reply(in);
                replies.add(r);
                if (!r.startsWith("2") && !r.startsWith("3")) {
                    return replies;
                }
            }
            out.write(("From: <sender@client.example>\r\nTo: <" + recipient + ">\r\nSubject: from the tarball\r\n\r\n"
                    + "Hello from DistributionIT.\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            replies.add(reply(in));
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            replies.add(reply(in));
        }
        return replies;
    }

    private static String reply(BufferedReader in) throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the server closed the connection");
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line;
            }
        }
    }

    static Path awaitFile(Path folder, Duration timeout, Path log) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    List<Path> found = files.filter(Files::isRegularFile).toList();
                    if (!found.isEmpty()) {
                        return found.get(0);
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing delivered to " + folder + " within " + timeout.toSeconds() + " s:\n" + read(log));
    }

    static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }
}
