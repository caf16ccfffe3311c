package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
    @ValueSource(strings = {"\n.\r\n", "\r.\r", "\r.\r\n", "\n.\r", "\r\n.\r"})
    void smuggledMessageStaysInsideTheFirst(String fakeEnd) throws Exception {
        sendSmuggled(fakeEnd);
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

    /**
     * A dot line ended by a bare LF ends neither the message nor stays in it: the client is told
     * to end lines with CRLF, nothing is queued, and the connection is closed, so the commands
     * behind it are never run.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r\n.\n"})
    void aBareLfDotIsRefusedAndNothingAfterItRuns(String fakeEnd) throws Exception {
        sendSmuggled(fakeEnd);
        SmtpTestClient.Response refusal = client.read();
        assertThat(refusal.code()).isEqualTo(554);
        assertThat(refusal.text()).startsWith("5.5.2").contains("<CR><LF>", "nc -C");
        assertThat(client.closedByServer()).isTrue();
        assertThat(server.queue().opened()).isEqualTo(1);
        assertThat(server.queue().awaitAborted(1)).isEqualTo(1);
        assertThat(server.queue().committed()).isEmpty();
    }

    /** What a user of plain nc sends: every line ends with LF alone. The user gets an answer, not a 10-minute wait. */
    @Test
    void anLfOnlyClientIsToldToUseCrLf() throws Exception {
        client.send("HELO me\nMAIL FROM:<me@example.com>\nRCPT TO:<alice@example.test>\nDATA\n");
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().code()).isEqualTo(354);
        client.send("Subject: hi\n\nhello\n.\n");
        assertThat(client.read().toString()).startsWith("554 5.5.2 ").contains("nc -C");
        assertThat(client.closedByServer()).isTrue();
    }

    /** A message whose data hides a second transaction behind {@code fakeEnd}, then ends properly. */
    private void sendSmuggled(String fakeEnd) throws Exception {
        client.command("EHLO attacker.example");
        client.command("MAIL FROM:<a@attacker.example>");
        client.command("RCPT TO:<alice@example.test>");
        assertThat(client.command("DATA").code()).isEqualTo(354);
        client.send("Subject: first\r\n\r\nhello" + fakeEnd
                + "MAIL FROM:<ceo@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                + "Subject: smuggled\r\n\r\nevil\r\n.\r\n");
    }
}
