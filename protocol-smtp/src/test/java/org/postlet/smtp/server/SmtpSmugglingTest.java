package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.smtp.testing.RecordingQueue.Stored;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/**
 * SMTP smuggling (CVE-2023-51764 class): a second message hidden behind a non-standard end of
 * data must stay inside the first message, never become commands.
 */
class SmtpSmugglingTest {

    private SmtpTestServer server;
    private SmtpTestClient client;

    @BeforeEach
    void start() throws Exception {
        server = SmtpTestServer.builder().start();
        client = server.connect();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r\n.\n", "\n.\r\n", "\r.\r", "\r.\r\n"})
    void smuggledMessageStaysInsideTheFirst(String fakeEnd) throws Exception {
        client.command("EHLO attacker.example");
        client.command("MAIL FROM:<a@attacker.example>");
        client.command("RCPT TO:<alice@example.test>");
        assertThat(client.command("DATA").code()).isEqualTo(354);
        client.send("Subject: first\r\n\r\nhello" + fakeEnd
                + "MAIL FROM:<ceo@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                + "Subject: smuggled\r\n\r\nevil\r\n.\r\n");
        // Exactly one reply: the 250 for the first (and only) message.
        assertThat(client.read().text()).startsWith("2.0.0 Ok: queued as");
        assertThat(client.command("NOOP")).hasToString("250 2.0.0 Ok");

        List<Stored> stored = server.queue().await(1);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).envelope().recipients()).extracting(Object::toString)
                .containsExactly("alice@example.test");
        assertThat(stored.get(0).body()).contains("MAIL FROM:<ceo@example.test>", "Subject: smuggled", "evil");
        assertThat(server.queue().opened()).isEqualTo(1);
    }
}
