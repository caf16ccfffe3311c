package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/** The events metrics are built on arrive for what really happened in a session. */
class SmtpEventsTest {

    @Test
    void aSessionReportsItsConnectionRefusalsAndAcceptedMessage() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().start()) {
            try (SmtpTestClient client = server.connect()) {
                client.command("EHLO client.example");
                client.command("MAIL FROM:<a@example.com>");
                assertThat(client.command("RCPT TO:<nobody@example.test>").code()).isEqualTo(550);
                client.command("RCPT TO:<alice@example.test>");
                client.command("DATA");
                assertThat(client.command("Subject: x\r\n\r\nhello\r\n.").code()).isEqualTo(250);
                client.command("QUIT");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!server.events().events().contains("closed mx") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(server.events().events()).hasSize(4);
            assertThat(server.events().events().get(0)).isEqualTo("opened mx");
            assertThat(server.events().events().get(1)).isEqualTo("refused mx 550 5.1.1");
            assertThat(server.events().events().get(2)).matches("accepted mx [1-9][0-9]*");
            assertThat(server.events().events().get(3)).isEqualTo("closed mx");
        }
    }
}
