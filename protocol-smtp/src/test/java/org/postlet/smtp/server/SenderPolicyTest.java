package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.policy.Client;
import org.postlet.smtp.policy.SenderPolicy;
import org.postlet.smtp.policy.Verdict;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/** The session asks the {@link SenderPolicy} at MAIL and answers with its verdict. */
class SenderPolicyTest {

    @Test
    void theVerdictIsTheReplyAndARefusedMailStartsNoTransaction() throws Exception {
        List<String> asked = new ArrayList<>();
        SenderPolicy onlyBob = (client, sender) -> {
            asked.add(client.authenticatedUser().orElse("-") + " " + sender.map(MailAddress::toPath).orElse("<>"));
            return sender.isEmpty() || sender.get().localPart().equals("bob") ? Verdict.accept()
                    : Verdict.reject(553, "5.7.1", sender.get().toPath() + ": sender address not owned by user x");
        };
        try (SmtpTestServer server = SmtpTestServer.builder().auth(AuthMode.OPTIONAL).senderPolicy(onlyBob).start();
             SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            assertThat(client.command("AUTH PLAIN AGJvYkBleGFtcGxlLnRlc3QAaHVudGVyMg==").code()).isEqualTo(235);
            assertThat(client.command("MAIL FROM:<alice@example.test>"))
                    .hasToString("553 5.7.1 <alice@example.test>: sender address not owned by user x");
            assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(503);
            assertThat(client.command("MAIL FROM:<>").code()).isEqualTo(250);
            client.command("RSET");
            assertThat(client.command("MAIL FROM:<bob@example.test> SIZE=10").code()).isEqualTo(250);
        }
        assertThat(asked).containsExactly("bob@example.test <alice@example.test>", "bob@example.test <>",
                "bob@example.test <bob@example.test>");
    }

    @Test
    void aFailingPolicyIsATemporaryError() throws Exception {
        SenderPolicy broken = (Client client, Optional<MailAddress> sender) -> {
            throw new IllegalStateException("directory gone");
        };
        try (SmtpTestServer server = SmtpTestServer.builder().senderPolicy(broken).start();
             SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            assertThat(client.command("MAIL FROM:<bob@example.test>")).hasToString("451 4.3.0 Error: internal error");
        }
    }
}
