package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.server.SmtpEvents.Rejection;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/** Every refused MAIL, RCPT, DATA, AUTH and message is told to the events port, with what it was about. */
class RejectionEventsTest {

    @Test
    void refusedRecipientsNameClientSenderRecipientAndHelo() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().start(); SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            client.command("MAIL FROM:<a@example.com>");
            assertThat(client.command("RCPT TO:<nobody@example.test>").code()).isEqualTo(550);
            assertThat(client.command("RCPT TO:<x@elsewhere.example>").code()).isEqualTo(554);
            assertThat(client.command("DATA").code()).isEqualTo(554);
            // Neither an unknown command nor a too-long line after them is a rejection of MAIL, RCPT or DATA.
            assertThat(client.command("BOGUS").code()).isEqualTo(500);
            assertThat(client.command("NOOP " + "x".repeat(600)).code()).isEqualTo(500);

            List<Rejection> r = server.events().rejections();
            assertThat(r).hasSize(3);
            assertThat(r.get(0)).isEqualTo(new Rejection("mx", "RCPT", "[127.0.0.1]", 550, "5.1.1",
                    "<nobody@example.test>: Recipient address rejected: User unknown", Optional.of("<a@example.com>"),
                    Optional.of("<nobody@example.test>"), "ESMTP", "client.example"));
            assertThat(r.get(1).code()).isEqualTo(554);
            assertThat(r.get(1).enhancedCode()).isEqualTo("5.7.1");
            assertThat(r.get(1).recipient()).contains("<x@elsewhere.example>");
            assertThat(r.get(2).stage()).isEqualTo("DATA");
            assertThat(r.get(2).recipient()).isEmpty();
        }
    }

    @Test
    void authRequiredAndAFailedPasswordAreRejections() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().auth(AuthMode.REQUIRED).start();
             SmtpTestClient client = server.connect()) {
            client.command("HELO client.example");
            assertThat(client.command("MAIL FROM:<a@example.com>").code()).isEqualTo(530);
            client.command("EHLO client.example");
            String wrong = Base64.getEncoder().encodeToString("\0alice@example.test\0nope".getBytes(StandardCharsets.UTF_8));
            assertThat(client.command("AUTH PLAIN " + wrong).code()).isEqualTo(535);

            List<Rejection> r = server.events().rejections();
            assertThat(r).extracting(Rejection::stage, Rejection::code, Rejection::protocol)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("MAIL", 530, "SMTP"),
                            org.assertj.core.groups.Tuple.tuple("AUTH", 535, "ESMTP"));
            assertThat(r.get(0).sender()).contains("<a@example.com>");
        }
    }

    @Test
    void anOversizedMessageIsRejectedAtTheEndOfTheMessage() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().maxMessageSize(10).start();
             SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            client.command("MAIL FROM:<a@example.com>");
            client.command("RCPT TO:<alice@example.test>");
            client.command("DATA");
            assertThat(client.command("Subject: much too long\r\n.").code()).isEqualTo(552);
            assertThat(server.events().rejections()).singleElement().satisfies(r -> {
                assertThat(r.stage()).isEqualTo("END-OF-MESSAGE");
                assertThat(r.enhancedCode()).isEqualTo("5.3.4");
            });
        }
    }

    @Test
    void aClientThatDropsMidDataIsToldAsALostConnection() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().start()) {
            try (SmtpTestClient client = server.connect()) {
                client.command("EHLO client.example");
                client.command("MAIL FROM:<a@example.com>");
                client.command("RCPT TO:<alice@example.test>");
                client.command("DATA");
                client.send("Subject: half\r\n\r\nand then");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (server.events().lost().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(server.events().lost()).containsExactly("mx [127.0.0.1] DATA");
        }
    }

    @Test
    void aFloodOfRecipientsOverTheLimitIsOneRejection() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().maxRecipients(1).start();
             SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            client.command("MAIL FROM:<a@example.com>");
            client.command("RCPT TO:<alice@example.test>");
            for (int i = 0; i < 10; i++) {
                assertThat(client.command("RCPT TO:<bob@example.test>").code()).isEqualTo(452);
            }
            assertThat(server.events().rejections()).singleElement().extracting(Rejection::enhancedCode).isEqualTo("4.5.3");
        }
    }
}
