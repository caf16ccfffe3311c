package org.postlet.server.durability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.postlet.queue.MailQueue;
import org.postlet.queue.QueueIds;
import org.postlet.queue.QueuedMailSummary;
import org.postlet.queue.file.FileMailQueue;
import org.postlet.server.metrics.MetricsScrape;
import org.postlet.server.testing.TestConfiguration;

/**
 * A Postlet configuration for the durability tests, built only through the documented surface
 * (postlet.yaml, pipeline.yaml, users.passwd): one MX listener on 127.0.0.1, the test users
 * (alice, bob), spool and maildir in places the test chooses.
 */
public final class Installation {

    /** The shipped pipeline's shape: everything local is delivered, the rest kept in var/error. */
    static final String DEFAULT_PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: RecipientIsLocal, class: LocalDelivery }
                  - { match: All, class: ToProcessor, processor: error }
              - state: error
                mailets:
                  - { match: All, class: LogMessage, level: error }
                  - { match: All, class: ToRepository, path: ../var/error }
            """;

    final Path root;
    final Path conf;
    final Path spool;
    final Path maildir;
    final Path error;
    /** Where the server answers {@code /metrics}: the tests watch its queue there while it runs. */
    final int metricsPort;

    private Installation(Path root, Path spool, Path maildir) throws IOException {
        this.root = root;
        this.metricsPort = freePort();
        this.conf = root.resolve("conf");
        this.spool = spool;
        this.maildir = maildir;
        this.error = root.resolve("var/error");
    }

    /** Spool in {@code root/var/spool} and maildir in {@code root/var/mail}. */
    static Installation create(Path root, int port, String pipeline) throws IOException {
        return create(root, port, pipeline, root.resolve("var/spool"), root.resolve("var/mail"));
    }

    static Installation create(Path root, int port, String pipeline, Path spool, Path maildir) throws IOException {
        Installation inst = new Installation(root, spool, maildir);
        Files.createDirectories(inst.conf);
        Files.createDirectories(inst.error);
        Files.writeString(inst.conf.resolve("users.passwd"), TestConfiguration.USERS, StandardCharsets.UTF_8);
        Files.writeString(inst.conf.resolve("pipeline.yaml"), pipeline, StandardCharsets.UTF_8);
        Files.writeString(inst.conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: %d, tls: none, auth: none }
                  maxMessageSize: 10485760
                  maxRecipients: 100
                  authorizedNetworks: [127.0.0.0/8]
                spool: %s
                storage:
                  maildir:
                    root: %s
                    layout: "%%d/%%n"
                pipeline: pipeline.yaml
                retry: { delay: 1s, maxDelay: 2s }    # tests wait for retries: keep them short
                metrics: { http: "127.0.0.1:%d" }
                """.formatted(port, spool.toAbsolutePath(), maildir.toAbsolutePath(), inst.metricsPort), StandardCharsets.UTF_8);
        return inst;
    }

    /** A user's INBOX directory (may not exist yet). */
    Path inbox(String user) {
        return maildir.resolve("example.test").resolve(user);
    }

    /** The message files in a maildir's {@code new/} and {@code cur/}; empty if it does not exist. */
    static List<Path> messages(Path maildir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir.resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(Files::isRegularFile).forEach(files::add);
                }
            }
        }
        files.sort(null);
        return files;
    }

    /** Waits until {@code maildir} holds at least {@code count} messages; returns them. */
    static List<Path> awaitMessages(Path maildir, int count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Path> files = messages(maildir);
        while (files.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(25);
            files = messages(maildir);
        }
        if (files.size() < count) {
            throw new AssertionError("expected " + count + " message(s) in " + maildir + " within " + timeout.toSeconds()
                    + " s, found " + files.size() + ": " + files);
        }
        return files;
    }

    /** A loopback port free right now, for a server started in another process. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until the running server's queue is empty, by its {@code /metrics} (refreshed once a second). */
    void awaitEmptyQueue(Duration timeout) throws IOException, InterruptedException {
        double depth = MetricsScrape.await(metricsPort, timeout, m -> m.value("postlet_spool_depth") == 0)
                .value("postlet_spool_depth");
        if (depth != 0) {
            throw new AssertionError((long) depth + " mail(s) still queued after " + timeout.toSeconds() + " s");
        }
    }

    /**
     * The mails in the queue of a server that is not running, read by opening the queue (which
     * also recovers it, as the next start would).
     */
    List<QueuedMailSummary> queuedWhileStopped() throws IOException {
        try (MailQueue queue = FileMailQueue.open(spool, new QueueIds(Clock.systemUTC()), Clock.systemUTC())) {
            return queue.browse();
        }
    }

    /**
     * What a stopped server left in its spool: queued mails by id and files waiting in
     * {@code maildrop/}; empty once everything is processed.
     */
    List<String> spoolLeftovers() throws IOException {
        List<String> left = new ArrayList<>(queuedWhileStopped().stream().map(m -> "queued " + m.id()).toList());
        spoolFiles("maildrop").forEach(name -> left.add("maildrop/" + name));
        return left;
    }

    /** The names of the files in a spool sub-directory ({@code maildrop}, {@code damaged}, ...). */
    List<String> spoolFiles(String sub) throws IOException {
        Path dir = spool.resolve(sub);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
