package org.postlet.server.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.postlet.testsupport.Prerequisites;

/**
 * A Postfix of its own for one test: Debian's binaries with a configuration, queue, data directory,
 * log and mailboxes in a folder of the test ({@code postfix -c DIR start}), listening only on
 * {@code 127.0.0.2} on a free port, so it never meets the system's Postfix or the benchmark's
 * (their own configuration directories, ports and host names). Mail for its domain goes into
 * Maildirs through the {@code virtual} delivery agent; any other recipient is refused with 550, and
 * it sends nothing out. {@link #close()} stops it and waits until every process of it is gone.
 *
 * <p>Postfix needs root to start. Without it, or without Postfix 3.4 or later (CHUNKING and
 * {@code maillog_file}) or openssl, the test is skipped, or fails under {@code CI=true}.
 */
final class PrivatePostfix implements AutoCloseable {

    private static final Path POSTFIX = Path.of("/usr/sbin/postfix");
    private static final Path POSTCONF = Path.of("/usr/sbin/postconf");
    private static final String ADDRESS = "127.0.0.2";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path config;
    private final int port;
    private final String domain;
    private long masterPid = -1;
    private final List<ProcessHandle> processes = new ArrayList<>();

    private PrivatePostfix(Path dir, int port, String domain) {
        this.dir = dir;
        this.config = dir.resolve("etc");
        this.port = port;
        this.domain = domain;
    }

    /** Whether this machine can run it; skips (or fails in CI) with the reason when not. */
    static void requireIt() throws Exception {
        Prerequisites.require(Files.isExecutable(POSTFIX) && Files.isExecutable(POSTCONF),
                "Postfix is not installed (/usr/sbin/postfix; apt-get install postfix, as .ci/run does, with"
                        + " 'postfix postfix/main_mailer_type select No configuration')");
        Prerequisites.require(Prerequisites.root(), "'postfix start' needs root (as in CI); the current user is not root");
        Prerequisites.requireCommand("openssl", "openssl");
        String version = run(List.of(POSTCONF.toString(), "-dh", "mail_version"), Duration.ofSeconds(20)).strip();
        String[] parts = version.split("\\.");
        boolean recent = parts.length >= 2 && (Integer.parseInt(parts[0]) > 3
                || Integer.parseInt(parts[0]) == 3 && Integer.parseInt(parts[1]) >= 4);
        Prerequisites.require(recent, "Postfix 3.4 or later is needed (CHUNKING, maillog_file); found " + version);
    }

    /**
     * Starts a Postfix in {@code dir} taking mail for {@code mailboxes} (all in {@code domain}),
     * offering STARTTLS with a new self-signed certificate.
     */
    static PrivatePostfix start(Path dir, String domain, List<String> mailboxes) throws Exception {
        // The virtual agent delivers as nobody, who must get through every folder to the mailboxes.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivatePostfix postfix = new PrivatePostfix(dir, freePort(), domain);
        postfix.configure(mailboxes);
        try {
            postfix.postfix("start");
            postfix.awaitListening();
        } catch (Exception | AssertionError e) {
            // A master that came up half-way must not outlive the test that could not use it.
            try {
                postfix.close();
            } catch (Exception | AssertionError stopping) {
                e.addSuppressed(stopping);
            }
            throw e;
        }
        return postfix;
    }

    private void configure(List<String> mailboxes) throws Exception {
        Files.createDirectories(config);
        Files.createDirectories(dir.resolve("queue"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(data, users.lookupPrincipalByName("postfix"));
        Files.setOwner(mail, users.lookupPrincipalByName("nobody"));
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=mx." + domain, "-keyout", config.resolve("key.pem").toString(), "-out",
                config.resolve("cert.pem").toString()), COMMAND_TIMEOUT);
        StringBuilder table = new StringBuilder();
        for (String m : mailboxes) {
            table.append(m).append(' ').append(domain).append('/').append(m, 0, m.indexOf('@')).append("/\n");
        }
        Files.writeString(config.resolve("vmailbox"), table);
        // chroot off (column 5): the daemons read the test's files where they are.
        Files.writeString(config.resolve("master.cf"), """
                %s:%d inet n - n - - smtpd
                cleanup   unix  n - n - 0 cleanup
                qmgr      unix  n - n 300 1 qmgr
                tlsmgr    unix  - - n 1000? 1 tlsmgr
                rewrite   unix  - - n - - trivial-rewrite
                bounce    unix  - - n - 0 bounce
                defer     unix  - - n - 0 bounce
                trace     unix  - - n - 0 bounce
                verify    unix  - - n - 1 verify
                flush     unix  n - n 1000? 0 flush
                proxymap  unix  - - n - - proxymap
                showq     unix  n - n - - showq
                error     unix  - - n - - error
                retry     unix  - - n - - error
                discard   unix  - - n - - discard
                virtual   unix  - n n - - virtual
                anvil     unix  - - n - 1 anvil
                scache    unix  - - n - 1 scache
                postlog   unix-dgram n - n - 1 postlogd
                """.formatted(ADDRESS, port));
        Files.writeString(config.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = %1$s/queue
                data_directory = %1$s/data
                maillog_file_prefixes = %1$s
                maillog_file = %1$s/postfix.log
                myhostname = mx.%2$s
                mydomain = %2$s
                myorigin = %2$s
                mydestination =
                inet_interfaces = loopback-only
                inet_protocols = ipv4
                mynetworks = 127.0.0.0/8
                alias_maps =
                alias_database =
                local_recipient_maps =
                relayhost =
                default_transport = error:this test's Postfix sends nothing out
                notify_classes =
                biff = no
                virtual_mailbox_domains = %2$s
                virtual_mailbox_base = %1$s/mail
                virtual_mailbox_maps = texthash:%1$s/etc/vmailbox
                virtual_uid_maps = static:65534
                virtual_gid_maps = static:65534
                smtpd_tls_security_level = may
                smtpd_tls_cert_file = %1$s/etc/cert.pem
                smtpd_tls_key_file = %1$s/etc/key.pem
                smtpd_tls_loglevel = 1
                """.formatted(dir, domain));
    }

    /** The port it listens on, on {@code 127.0.0.2}. */
    int port() {
        return port;
    }

    /** Its log ({@code maillog_file}), as far as written. */
    String log() throws IOException {
        Path log = dir.resolve("postfix.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    /** The messages in {@code user}'s Maildir {@code new/}, raw. */
    List<byte[]> mailbox(String user) throws IOException {
        Path inbox = dir.resolve("mail").resolve(domain).resolve(user).resolve("new");
        if (!Files.isDirectory(inbox)) {
            return List.of();
        }
        List<byte[]> messages = new ArrayList<>();
        try (Stream<Path> files = Files.list(inbox)) {
            for (Path f : files.sorted().toList()) {
                messages.add(Files.readAllBytes(f));
            }
        }
        return messages;
    }

    /** Waits for {@code count} messages in {@code user}'s mailbox; returns what is there at the end. */
    List<byte[]> awaitMailbox(String user, int count, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        List<byte[]> messages = mailbox(user);
        while (messages.size() < count && System.nanoTime() < end) {
            Thread.sleep(100);
            messages = mailbox(user);
        }
        return messages;
    }

    /** Stops it ({@code postfix stop}) and waits until its master and every daemon of it have exited. */
    @Override
    public void close() throws Exception {
        // The pid file may be stale: only a process that is Postfix's master is this instance's.
        readMasterPid().flatMap(ProcessHandle::of)
                .filter(p -> p.info().command().map(c -> c.endsWith("/postfix/sbin/master")).orElse(false))
                .ifPresent(master -> {
                    processes.add(master);
                    master.descendants().forEach(processes::add);
                });
        String stopped;
        try {
            stopped = postfix("stop");
        } catch (IOException | AssertionError e) {
            stopped = e.getMessage();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        List<ProcessHandle> left = processes.stream().filter(ProcessHandle::isAlive).toList();
        // Only the processes of this instance, by their ids: never a broad kill.
        left.forEach(ProcessHandle::destroyForcibly);
        if (!left.isEmpty()) {
            throw new AssertionError("Postfix in " + config + " left processes " + left.stream().map(ProcessHandle::pid)
                    .toList() + " after 'postfix stop' (" + stopped + "); they were killed");
        }
    }

    /** How many processes of this instance {@link #close()} found running (its master and daemons). */
    int processesStopped() {
        return processes.size();
    }

    /** Whether any process of this instance still runs (after {@link #close()}: none may). */
    boolean anyProcessAlive() {
        return processes.stream().anyMatch(ProcessHandle::isAlive);
    }

    private Optional<Long> readMasterPid() throws IOException {
        Path pidFile = dir.resolve("queue/pid/master.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        String text = Files.readString(pidFile).strip();
        return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
    }

    private String postfix(String command) throws Exception {
        try {
            return run(List.of(POSTFIX.toString(), "-c", config.toString(), command), COMMAND_TIMEOUT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nits log:\n" + log(), e);
        }
    }

    private void awaitListening() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ADDRESS, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("Postfix in " + config + " does not listen on " + ADDRESS + ":" + port
                            + " 20 s after 'postfix start'; its log:\n" + log(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ADDRESS))) {
            return s.getLocalPort();
        }
    }

    /** Runs a command to its end; its output, or an AssertionError with it when it fails. */
    private static String run(List<String> command, Duration timeout) throws Exception {
        Path output = Files.createTempFile("postfix-command", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            String text = Files.readString(output, StandardCharsets.ISO_8859_1);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed with exit code " + p.exitValue() + ": " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
