package org.postlet.mailets.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.testsupport.rspamd.LocalRspamd;

/** The Rspamd mailet against a real rspamd (Debian package rspamd) started by the test on an ephemeral port. */
class RspamdTest {

    private static final String GTUBE = LocalRspamd.GTUBE;

    @TempDir
    static Path dir;

    private static LocalRspamd rspamd;
    private static int port;

    private final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test").build();

    @BeforeAll
    static void start() throws Exception {
        rspamd = LocalRspamd.start(dir);
        port = rspamd.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (rspamd != null) {
            rspamd.close();
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

        int closed = LocalRspamd.freePort();
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
