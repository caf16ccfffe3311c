package org.postlet.mailets.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.testsupport.Prerequisites;

/** The Rspamd mailet against a real rspamd (Debian package rspamd) started by the test on an ephemeral port. */
class RspamdTest {

    /** The standard test string every rspamd rejects (Generic Test for Unsolicited Bulk Email). */
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    @TempDir
    static Path dir;

    private static Process rspamd;
    private static int port;

    private final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test").build();

    @BeforeAll
    static void start() throws Exception {
        Path binary = Path.of("/usr/bin/rspamd");
        Prerequisites.require(Files.isExecutable(binary), "rspamd is not installed (apt-get install rspamd, as .ci/run does)");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // The packaged configuration, with only a normal worker on our port, everything in the temp folder, and
        // GTUBE on (rspamd 3 recognises the test string only when asked to).
        Files.writeString(dir.resolve("rspamd.conf"), """
                .include "$CONFDIR/common.conf"
                options {
                    pidfile = "$RUNDIR/rspamd.pid";
                    .include "$CONFDIR/options.inc"
                    enable_test_patterns = true;
                }
                logging {
                    type = "console";
                    level = "error";
                }
                worker "normal" {
                    bind_socket = "127.0.0.1:%d";
                    .include "$CONFDIR/worker-normal.inc"
                    count = 1;
                }
                """.formatted(port));
        rspamd = new ProcessBuilder(binary.toString(), "-f", "-i", "-u", "root", "-g", "root", "-c", dir.resolve("rspamd.conf").toString(),
                "--var=DBDIR=" + dir, "--var=RUNDIR=" + dir, "--var=LOGDIR=" + dir)
                .redirectErrorStream(true).redirectOutput(dir.resolve("rspamd.log").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120)); // the first start compiles its rules
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                break;
            } catch (IOException e) {
                if (!rspamd.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IOException("rspamd did not start: " + Files.readString(dir.resolve("rspamd.log")), e);
                }
                Thread.sleep(200);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (rspamd != null) {
            rspamd.destroy();
            if (!rspamd.waitFor(20, TimeUnit.SECONDS)) {
                rspamd.destroyForcibly();
            }
        }
    }

    @Test
    void marksSpamWithHeadersAndAttributes() throws Exception {
        FakeMail mail = mail("From: a@example.org\r\nTo: b@example.test\r\nSubject: offer\r\n\r\n" + GTUBE + "\r\n");

        mailet("url", "http://127.0.0.1:" + port).service(mail);

        assertThat(mail.message().getHeader("X-Spam-Flag")).containsExactly("YES");
        assertThat(mail.message().getHeader("X-Spam-Action")).containsExactly("reject");
        assertThat(mail.message().getHeader("X-Spam-Symbols")[0]).contains("GTUBE");
        assertThat(mail.attribute(Rspamd.ACTION)).contains("reject");
        assertThat(mail.attribute(Rspamd.SCORE)).isPresent();
    }

    @Test
    void replacesTheFlagAMessageBroughtAndFailsLoudlyWithoutRspamd() throws Exception {
        FakeMail mail = mail("X-Spam-Flag: YES\r\nFrom: a@example.org\r\nTo: b@example.test\r\nSubject: lunch\r\n"
                + "Message-ID: <1@example.org>\r\nDate: Tue, 1 Dec 2026 12:00:00 +0000\r\n\r\nSee you at noon.\r\n");
        mailet("url", "http://127.0.0.1:" + port).service(mail);
        assertThat(mail.message().getHeader("X-Spam-Flag")).hasSize(1);
        assertThat(mail.message().getHeader("X-Spam-Action")[0]).isNotEqualTo("reject");

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Rspamd nowhere = mailet("url", "http://127.0.0.1:" + closed, "timeout", "2s");
        assertThatThrownBy(() -> nowhere.service(mail("Subject: x\r\n\r\ny\r\n"))).isInstanceOf(MailetException.class)
                .hasMessageContaining("cannot ask rspamd");
    }

    private static FakeMail mail(String message) throws Exception {
        return FakeMail.builder().sender("a@example.org").recipients("b@example.test").remoteAddress("192.0.2.1")
                .heloName("client.example.org").message(message).build();
    }

    private Rspamd mailet(String... parameters) throws Exception {
        Rspamd mailet = new Rspamd();
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("Rspamd").context(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.parameter(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }
}
