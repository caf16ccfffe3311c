package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.RecordingQueue;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/** A spool without room is answered at MAIL, before the client sends the message. */
class FullSpoolTest {

    @Test
    void mailIsRefusedWith452WhileTheSpoolHasNoRoomAndAcceptedAgainAfterwards() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().start(); SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            server.queue().failWith(RecordingQueue.Failure.NO_ROOM);
            SmtpTestClient.Response refused = client.command("MAIL FROM:<a@example.com> SIZE=1000");
            assertThat(refused.code()).isEqualTo(452);
            assertThat(refused.text()).startsWith("4.3.1");
            assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(503);

            server.queue().failWith(RecordingQueue.Failure.NONE);
            assertThat(client.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
            assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(250);
            assertThat(client.command("DATA").code()).isEqualTo(354);
            assertThat(client.command("Subject: x\r\n\r\nbody\r\n.").code()).isEqualTo(250);
            assertThat(server.queue().committed()).hasSize(1);
        }
    }
}
