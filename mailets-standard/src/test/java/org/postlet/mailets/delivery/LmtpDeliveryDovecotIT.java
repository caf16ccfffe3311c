package org.postlet.mailets.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.testsupport.Prerequisites;

/**
 * LmtpDelivery against a real Dovecot LMTP service (Debian's dovecot-lmtpd), a private instance
 * with its own configuration, base_dir and mail root in a temporary folder, listening on an
 * ephemeral loopback port and on a Unix socket. Dovecot refuses to deliver as root, so it stores
 * mail as {@code nobody}, and the test runs as root (as in CI) to start it.
 */
class LmtpDeliveryDovecotIT {

    private static final Path DOVECOT = Path.of("/usr/sbin/dovecot");
    private static final Path LMTP = Path.of("/usr/lib/dovecot/lmtp");

    /** CRLF, a line that needs dot-stuffing, one that is only a dot, and no line end at the very end. */
    private static final String MESSAGE = "From: carol@example.com\r\nTo: alice@example.test\r\nSubject: over LMTP\r\n"
            + "Message-ID: <lmtp-1@example.com>\r\n\r\nfirst line\r\n.a line that starts with a dot\r\n.\r\n..two dots\r\nlast line";

    @TempDir
    Path dir;

    private Process dovecot;
    private Path conf;
    private Path mail;
    private int port;
    private final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test")
            .localDomains("example.test").build();

    @BeforeEach
    void startDovecot() throws Exception {
        Prerequisites.require(Files.isExecutable(DOVECOT) && Files.isExecutable(LMTP),
                "Dovecot's LMTP service is not installed (/usr/sbin/dovecot, /usr/lib/dovecot/lmtp; apt-get install"
                        + " dovecot-lmtpd, as .ci/run does)");
        Prerequisites.require(Prerequisites.root(), "this test starts Dovecot as root and lets it store mail as 'nobody'"
                + " (as in CI); the current user is not root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        mail = Files.createDirectories(dir.resolve("mail"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Path state = Files.createDirectories(dir.resolve("state"));
        String nobody = run("id", "-u", "nobody").strip();
        String nogroup = run("id", "-g", "nobody").strip();
        run("chown", nobody + ":" + nogroup, mail.toString());
        Path users = dir.resolve("users.passwd");
        Files.writeString(users, "alice@example.test:{PLAIN}alice\nbob@example.test:{PLAIN}bob\n");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        conf = dir.resolve("dovecot.conf");
        Files.writeString(conf, """
                protocols = lmtp
                base_dir = %1$s
                state_dir = %2$s
                log_path = %3$s
                ssl = no
                listen = 127.0.0.1
                mail_uid = %4$s
                mail_gid = %5$s
                first_valid_uid = 1
                first_valid_gid = 1
                mail_home = %6$s/%%d/%%n
                mail_location = maildir:%6$s/%%d/%%n
                passdb {
                  driver = passwd-file
                  args = %7$s
                }
                userdb {
                  driver = static
                  args = allow_all_users=no
                }
                service lmtp {
                  inet_listener lmtp {
                    address = 127.0.0.1
                    port = %8$d
                  }
                  unix_listener lmtp {
                    mode = 0666
                  }
                }
                """.formatted(run, state, dir.resolve("dovecot.log"), nobody, nogroup, mail, users, port), StandardCharsets.UTF_8);
        dovecot = new ProcessBuilder(DOVECOT.toString(), "-F", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dovecot.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!dovecot.isAlive()) {
                throw new AssertionError("Dovecot exited with " + dovecot.exitValue() + ":\n" + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(5000);
                byte[] greeting = new byte[64];
                int n = s.getInputStream().read(greeting);
                if (n > 0 && new String(greeting, 0, n, StandardCharsets.US_ASCII).startsWith("220")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Dovecot LMTP did not greet on 127.0.0.1:" + port + " within 20 s:\n" + log());
    }

    @AfterEach
    void stopDovecot() throws Exception {
        if (dovecot != null) {
            new ProcessBuilder("/usr/bin/doveadm", "-c", conf.toString(), "stop").redirectErrorStream(true).start()
                    .waitFor(10, TimeUnit.SECONDS);
            if (!dovecot.waitFor(10, TimeUnit.SECONDS)) {
                dovecot.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private LmtpDelivery mailet(String... parameters) throws Exception {
        LmtpDelivery mailet = new LmtpDelivery(new MetricRegistry());
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("LmtpDelivery").context(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.parameter(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }

    @Test
    void deliversOverTcpEachRecipientAsTheServerSaysAndTheUnknownOneFails() throws Exception {
        LmtpDelivery mailet = mailet("host", "127.0.0.1", "port", Integer.toString(port));
        FakeMail m = FakeMail.builder().name("Q1").sender("carol@example.com")
                .recipients("alice@example.test", "nobody-here@example.test", "bob@example.test")
                .message(MESSAGE.getBytes(StandardCharsets.US_ASCII)).build();

        assertThatThrownBy(() -> mailet.service(m)).isInstanceOf(MailetException.class)
                .hasMessageContaining("nobody-here@example.test: 550 5.1.1");
        assertThat(m.recipients()).containsExactly(new MailAddress("nobody-here", "example.test"));
        mailet.destroy();

        for (String user : List.of("alice", "bob")) {
            List<Path> files = files(mail.resolve("example.test").resolve(user).resolve("new"));
            assertThat(files).as("%s's new/ (Dovecot log:\n%s)", user, log()).hasSize(1);
            String stored = Files.readString(files.get(0), StandardCharsets.US_ASCII);
            assertThat(stored).as("what Dovecot stored for " + user)
                    .contains("Return-Path: <carol@example.com>\n")
                    .contains("Subject: over LMTP\n")
                    .endsWith("\nfirst line\n.a line that starts with a dot\n.\n..two dots\nlast line\n");
        }
    }

    @Test
    void deliversOverAUnixSocket() throws Exception {
        LmtpDelivery mailet = mailet("socket", dir.resolve("run/lmtp").toString());
        FakeMail m = FakeMail.builder().name("Q2").nullSender().recipients("alice@example.test")
                .message(MESSAGE.getBytes(StandardCharsets.US_ASCII)).build();

        mailet.service(m);
        mailet.destroy();

        assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        List<Path> files = files(mail.resolve("example.test/alice/new"));
        assertThat(files).hasSize(1);
        assertThat(Files.readString(files.get(0), StandardCharsets.US_ASCII)).contains("Return-Path: <>\n");
    }

    @Test
    void anUnreachableServerDefersEveryRecipient() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        LmtpDelivery mailet = mailet("port", Integer.toString(closed));
        FakeMail m = FakeMail.builder().name("Q3").recipients("alice@example.test", "bob@example.test").build();
        assertThatThrownBy(() -> mailet.service(m)).isInstanceOf(org.postlet.mailet.TemporaryFailureException.class)
                .hasMessageContaining("LMTP delivery to 127.0.0.1:" + closed + " failed");
        assertThat(m.recipients()).hasSize(2);
        mailet.destroy();
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private String log() {
        try {
            return Files.exists(dir.resolve("dovecot.log")) ? Files.readString(dir.resolve("dovecot.log")) : "(no log)";
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
