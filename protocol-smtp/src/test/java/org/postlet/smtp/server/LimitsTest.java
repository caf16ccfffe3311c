package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/** Connection, command and error limits: the offender gets 421, everyone else goes on. */
class LimitsTest {

    private static SmtpLimits limits(int connections, int perClient, int commands, int errors) {
        return new SmtpLimits(connections, perClient, commands, errors, 3, Duration.ofMillis(10), 10);
    }

    @Test
    void theConnectionOverThePerClientLimitGets421AndTheOthersGoOn() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().limits(limits(100, 3, 1000, 20)).start()) {
            List<SmtpTestClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    open.add(server.connect());
                }
                try (SmtpTestClient fourth = new SmtpTestClient(server.port())) {
                    assertThat(fourth.read().toString()).isEqualTo("421 4.7.0 mx.example.test Error: too many connections from 127.0.0.1");
                    assertThat(fourth.closedByServer()).isTrue();
                }
                for (SmtpTestClient client : open) {
                    assertThat(client.command("NOOP").code()).isEqualTo(250);
                }
                open.remove(0).close();
                // A slot is free again once a connection closed.
                awaitConnectable(server);
            } finally {
                for (SmtpTestClient client : open) {
                    client.close();
                }
            }
        }
    }

    @Test
    void theTotalConnectionLimitHolds() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().limits(limits(2, 50, 1000, 20)).start();
             SmtpTestClient one = server.connect(); SmtpTestClient two = server.connect();
             SmtpTestClient three = new SmtpTestClient(server.port())) {
            assertThat(three.read().toString()).startsWith("421 4.7.0 ").contains("too many connections");
            assertThat(one.command("NOOP").code()).isEqualTo(250);
            assertThat(two.command("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void tooManyCommandsEndTheSessionButNotOthers() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().limits(limits(100, 50, 5, 20)).start();
             SmtpTestClient chatty = server.connect(); SmtpTestClient quiet = server.connect()) {
            for (int i = 0; i < 5; i++) {
                assertThat(chatty.command("NOOP").code()).isEqualTo(250);
            }
            assertThat(chatty.command("NOOP").toString()).isEqualTo("421 4.7.0 mx.example.test Error: too many commands");
            assertThat(chatty.closedByServer()).isTrue();
            assertThat(quiet.command("EHLO quiet.example").code()).isEqualTo(250);
        }
    }

    @Test
    void theErrorLimitIsConfigurable() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().limits(limits(100, 50, 1000, 3)).start();
             SmtpTestClient client = server.connect()) {
            assertThat(client.command("BOGUS").code()).isEqualTo(500);
            assertThat(client.command("BOGUS").code()).isEqualTo(500);
            assertThat(client.command("BOGUS").code()).isEqualTo(500);
            assertThat(client.read().toString()).isEqualTo("421 4.7.0 mx.example.test Error: too many errors");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    /**
     * RFC 5321 §4.5.3.1.10: a pipelining client over maxRecipients gets 452 for the rest and sends
     * them in a new transaction. Those 452s are no errors that end its session (Postfix's
     * smtpd_recipient_overshoot_limit): the accepted recipients get their message.
     */
    @Test
    void aPipelinedBatchOverMaxRecipientsKeepsItsSessionAndItsAcceptedRecipients() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().maxRecipients(2).limits(limits(100, 50, 1000, 5)).start();
             SmtpTestClient client = server.connect()) {
            StringBuilder batch = new StringBuilder("EHLO client.example\r\nMAIL FROM:<a@example.com>\r\n");
            batch.append("RCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\n");
            for (int i = 0; i < 20; i++) {
                batch.append("RCPT TO:<bob@example.test>\r\n");
            }
            batch.append("DATA\r\n");
            client.send(batch.toString());
            client.read();
            client.read();
            assertThat(client.read().code()).isEqualTo(250);
            assertThat(client.read().code()).isEqualTo(250);
            for (int i = 0; i < 20; i++) {
                assertThat(client.read().toString()).isEqualTo("452 4.5.3 Error: too many recipients");
            }
            assertThat(client.read().code()).isEqualTo(354);
            assertThat(client.command("Subject: x\r\n\r\nhi\r\n.").code()).isEqualTo(250);
            assertThat(server.queue().await(1).get(0).envelope().recipients()).hasSize(2);
        }
    }

    @Test
    void beyondTheOvershootLimitThe452sCountAsErrors() throws Exception {
        SmtpLimits limits = limits(100, 50, 1000, 3).withRecipientOvershoot(2);
        try (SmtpTestServer server = SmtpTestServer.builder().maxRecipients(1).limits(limits).start();
             SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            client.command("MAIL FROM:<a@example.com>");
            assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(250);
            for (int i = 0; i < 4; i++) {
                assertThat(client.command("RCPT TO:<bob@example.test>").code()).isEqualTo(452);
            }
            assertThat(client.command("RCPT TO:<bob@example.test>").code()).isEqualTo(452);
            assertThat(client.read().toString()).isEqualTo("421 4.7.0 mx.example.test Error: too many errors");
        }
    }

    /** RFC 5321 says 1000 octets per text line; like Postfix the server keeps longer lines, intact. */
    @Test
    void textLinesLongerThan1000OctetsAreKept() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().maxMessageSize(100_000).start();
             SmtpTestClient client = server.connect()) {
            String longLine = "y".repeat(20_000);
            client.command("EHLO client.example");
            client.command("MAIL FROM:<user1@example.com>");
            client.command("RCPT TO:<alice@example.test>");
            client.command("DATA");
            client.send("Subject: long\r\n\r\n" + longLine + "\r\n");
            assertThat(client.command(".").code()).isEqualTo(250);
            assertThat(server.queue().await(1).get(0).body()).isEqualTo("Subject: long\r\n\r\n" + longLine + "\r\n");
        }
    }

    private static void awaitConnectable(SmtpTestServer server) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try (SmtpTestClient client = new SmtpTestClient(server.port())) {
                if (client.read().code() == 220) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no free connection slot within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
