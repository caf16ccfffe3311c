package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.RecordingQueue.Stored;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/** AUTH PLAIN and LOGIN (RFC 4954) over raw sockets. */
class AuthTest {

    private static final String ALICE_PLAIN = b64("\0alice@example.test\0secret");

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static SmtpTestServer server(AuthMode auth) throws Exception {
        return SmtpTestServer.builder().tls(TlsMode.STARTTLS).auth(auth).start();
    }

    /** Connects, says EHLO, does STARTTLS and says EHLO again. */
    private static SmtpTestClient overTls(SmtpTestServer server) throws Exception {
        SmtpTestClient client = server.connect();
        client.command("EHLO client.example");
        client.command("STARTTLS");
        client.handshake();
        client.command("EHLO client.example");
        return client;
    }

    @Test
    void plainWithInitialResponseAuthenticatesAndTheEnvelopeSaysWho() throws Exception {
        try (SmtpTestServer server = server(AuthMode.REQUIRED); SmtpTestClient client = overTls(server)) {
            assertThat(client.command("MAIL FROM:<alice@example.test>").toString()).isEqualTo("530 5.7.0 Authentication required");
            assertThat(client.command("AUTH PLAIN " + ALICE_PLAIN)).hasToString("235 2.7.0 Authentication successful");
            assertThat(client.command("AUTH PLAIN " + ALICE_PLAIN).toString()).isEqualTo("503 5.5.1 Error: already authenticated");
            client.command("MAIL FROM:<alice@example.test>");
            // Authenticated clients may relay (TestPolicy refuses other domains, so use a local one here).
            client.command("RCPT TO:<bob@example.test>");
            client.command("DATA");
            client.send("Subject: hi\r\n\r\nfrom alice\r\n");
            assertThat(client.command(".").code()).isEqualTo(250);
            Stored stored = server.queue().await(1).get(0);
            assertThat(stored.envelope().authenticatedUser()).contains("alice@example.test");
            assertThat(stored.envelope().tls()).isPresent();
            assertThat(stored.text()).contains(" with ESMTPSA id ").doesNotContain("secret");
        }
    }

    @Test
    void authRequiredOnAStarttlsListenerAsksForTlsFirst() throws Exception {
        try (SmtpTestServer server = server(AuthMode.REQUIRED); SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            assertThat(client.command("MAIL FROM:<alice@example.test>").toString())
                    .isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
        }
    }

    @Test
    void plainChallengeForm() throws Exception {
        try (SmtpTestServer server = server(AuthMode.OPTIONAL); SmtpTestClient client = overTls(server)) {
            assertThat(client.command("AUTH PLAIN").toString()).isEqualTo("334 ");
            assertThat(client.command(ALICE_PLAIN).code()).isEqualTo(235);
        }
    }

    @Test
    void loginChallengeForm() throws Exception {
        try (SmtpTestServer server = server(AuthMode.OPTIONAL); SmtpTestClient client = overTls(server)) {
            assertThat(client.command("auth login")).hasToString("334 VXNlcm5hbWU6");
            assertThat(client.command(b64("bob@example.test"))).hasToString("334 UGFzc3dvcmQ6");
            assertThat(client.command(b64("hunter2")).code()).isEqualTo(235);
        }
    }

    @Test
    void wrongPasswordIsDelayedAndAnswered535() throws Exception {
        try (SmtpTestServer server = server(AuthMode.OPTIONAL); SmtpTestClient client = overTls(server)) {
            long start = System.nanoTime();
            assertThat(client.command("AUTH PLAIN " + b64("\0alice@example.test\0wrong")).toString())
                    .isEqualTo("535 5.7.8 Error: authentication failed");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            // The session goes on: a right password still works.
            assertThat(client.command("AUTH PLAIN " + ALICE_PLAIN).code()).isEqualTo(235);
        }
    }

    @Test
    void tooManyFailuresCloseTheConnection() throws Exception {
        try (SmtpTestServer server = server(AuthMode.OPTIONAL); SmtpTestClient client = overTls(server)) {
            String wrong = "AUTH PLAIN " + b64("\0alice@example.test\0wrong");
            assertThat(client.command(wrong).code()).isEqualTo(535);
            assertThat(client.command(wrong).code()).isEqualTo(535);
            assertThat(client.command(wrong).code()).isEqualTo(535);
            assertThat(client.read().toString()).startsWith("421 4.7.0 ").contains("too many failed authentication attempts");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void starCancelsAndBadBase64IsASyntaxError() throws Exception {
        try (SmtpTestServer server = server(AuthMode.OPTIONAL); SmtpTestClient client = overTls(server)) {
            client.command("AUTH LOGIN");
            assertThat(client.command("*")).hasToString("501 5.0.0 Authentication aborted");
            assertThat(client.command("AUTH PLAIN %%%notbase64").toString()).isEqualTo("501 5.5.2 Cannot decode response");
            assertThat(client.command("AUTH PLAIN " + b64("no nul bytes")).code()).isEqualTo(501);
            assertThat(client.command("AUTH CRAM-MD5").toString()).isEqualTo("504 5.5.4 Unrecognized authentication type");
            assertThat(client.command("AUTH").code()).isEqualTo(501);
            assertThat(server.authenticator().calls()).isZero();
            assertThat(client.command("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void actingAsSomeoneElseIsRefused() throws Exception {
        try (SmtpTestServer server = server(AuthMode.OPTIONAL); SmtpTestClient client = overTls(server)) {
            assertThat(client.command("AUTH PLAIN " + b64("bob@example.test\0alice@example.test\0secret")).code())
                    .isEqualTo(535);
        }
    }

    @Test
    void anAuthenticatorThatCannotAnswerGives454() throws Exception {
        try (SmtpTestServer server = server(AuthMode.OPTIONAL); SmtpTestClient client = overTls(server)) {
            server.authenticator().failWith(new IllegalStateException("password database down (test)"));
            assertThat(client.command("AUTH PLAIN " + ALICE_PLAIN).toString()).isEqualTo("454 4.7.0 Temporary authentication failure");
        }
    }

    @Test
    void authIsNotOfferedOnAListenerWithAuthNone() throws Exception {
        try (SmtpTestServer server = server(AuthMode.NONE); SmtpTestClient client = overTls(server)) {
            assertThat(client.command("EHLO again").lines()).noneMatch(l -> l.contains("AUTH"));
            assertThat(client.command("AUTH PLAIN " + ALICE_PLAIN).toString()).isEqualTo("503 5.5.1 Error: authentication not enabled");
        }
    }

    /** A tls: none listener that says auth optional offers AUTH in plain text, as Postfix does by default. */
    @Test
    void aPlainTextListenerWithAuthOffersItWithoutTls() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().auth(AuthMode.OPTIONAL).start();
             SmtpTestClient client = server.connect()) {
            assertThat(client.command("EHLO client.example").lines()).anyMatch(l -> l.endsWith("AUTH PLAIN LOGIN"));
            assertThat(client.command("AUTH PLAIN " + ALICE_PLAIN).code()).isEqualTo(235);
        }
    }

    @Test
    void authNeedsEhloAndNoOpenTransaction() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().auth(AuthMode.OPTIONAL).start();
             SmtpTestClient client = server.connect()) {
            assertThat(client.command("AUTH PLAIN " + ALICE_PLAIN).code()).isEqualTo(503);
            client.command("EHLO client.example");
            client.command("MAIL FROM:<a@example.com>");
            assertThat(client.command("AUTH PLAIN " + ALICE_PLAIN).toString()).isEqualTo("503 5.5.1 Error: MAIL transaction in progress");
        }
    }

    @Test
    void pipelinedCommandsAfterAuthWaitForTheAnswer() throws Exception {
        try (SmtpTestServer server = server(AuthMode.REQUIRED); SmtpTestClient client = overTls(server)) {
            client.send("AUTH PLAIN " + ALICE_PLAIN + "\r\nMAIL FROM:<alice@example.test>\r\n");
            assertThat(client.read().code()).isEqualTo(235);
            assertThat(client.read().code()).isEqualTo(250);
        }
    }

    @Test
    void anAddressThatKeepsFailingIsRefusedUncheckedInItsNextSessionsToo() throws Exception {
        SmtpLimits limits = new SmtpLimits(1000, 50, 1000, 20, 2, Duration.ofMillis(10), 3);
        try (SmtpTestServer server = SmtpTestServer.builder().tls(TlsMode.STARTTLS).auth(AuthMode.OPTIONAL).limits(limits).start()) {
            String wrong = "AUTH PLAIN " + b64("\0alice@example.test\0guess");
            try (SmtpTestClient first = overTls(server)) {
                assertThat(first.command(wrong).code()).isEqualTo(535);
                assertThat(first.command(wrong).code()).isEqualTo(535); // the session's limit: then 421
            }
            try (SmtpTestClient second = overTls(server)) {
                assertThat(second.command(wrong).code()).isEqualTo(535); // the address's third failure
                int checked = server.authenticator().calls();
                SmtpTestClient.Response refused = second.command("AUTH PLAIN " + ALICE_PLAIN);
                assertThat(refused.code()).as("even the right password, unchecked").isEqualTo(454);
                assertThat(refused.text()).contains("4.7.0").contains("Too many failed authentications");
                assertThat(server.authenticator().calls()).isEqualTo(checked);
            }
        }
    }
}
