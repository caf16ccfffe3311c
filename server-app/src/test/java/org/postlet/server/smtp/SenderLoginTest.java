package org.postlet.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.server.config.InvalidConfigException;

/**
 * Submission with the real server: an authenticated user sends only as an address they own
 * ({@code smtp.senderLogin}), and submitted mail without {@code Date:} or {@code Message-ID:}
 * gets them (RFC 6409 §8).
 */
class SenderLoginTest {

    private static final String LISTENERS = """
              listeners:
                - { name: mx, bind: 127.0.0.1, port: 0, tls: none, auth: optional }
                - { name: submission, bind: 127.0.0.1, port: 0, tls: starttls, auth: required }
              authorizedNetworks: [198.51.100.0/24]
            """;

    @TempDir
    Path dir;

    private static SmtpDialog loggedIn(SmtpInstallation postlet, String user) throws Exception {
        SmtpDialog smtp = SmtpDialog.greeted(postlet.port("submission"), "starttls");
        smtp.expect("AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(
                ("\0" + user + "@example.test\0" + user + "-pw").getBytes()), "235");
        return smtp;
    }

    @Test
    void bobCannotSendAsAlice() throws Exception {
        try (SmtpInstallation postlet = new SmtpInstallation(dir, LISTENERS); SmtpDialog smtp = loggedIn(postlet, "bob")) {
            assertThat(smtp.command("MAIL FROM:<alice@example.test>"))
                    .isEqualTo("553 5.7.1 <alice@example.test>: sender address not owned by user bob@example.test");
            assertThat(smtp.command("MAIL FROM:<ceo@external.test>"))
                    .isEqualTo("553 5.7.1 <ceo@external.test>: sender address not owned by user bob@example.test");
            // An alias that leads only to alice is hers, not bob's; so is one that leads there through another.
            assertThat(smtp.command("MAIL FROM:<info@example.test>")).startsWith("553 5.7.1 ");
            assertThat(smtp.command("MAIL FROM:<sales@example.test>")).startsWith("553 5.7.1 ");
            // Nothing was started: RCPT has no transaction.
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("503 5.5.1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"<bob@example.test>", "<BOB@Example.Test>", "<b.smith@example.test>", "<team@example.test>", "<>"})
    void bobSendsAsHisOwnAddressesHisAliasesAndTheNullSender(String sender) throws Exception {
        try (SmtpInstallation postlet = new SmtpInstallation(dir, LISTENERS); SmtpDialog smtp = loggedIn(postlet, "bob")) {
            assertThat(smtp.command("MAIL FROM:" + sender)).startsWith("250 2.1.0");
            smtp.expect("RCPT TO:<alice@example.test>", "250");
            assertThat(smtp.data("Subject: from bob\r\n\r\nhello\r\n")).startsWith("250 2.0.0");
            postlet.awaitMail("alice", 1);
        }
    }

    @Test
    void aliceOwnsAnAliasThatReachesHerThroughAnother() throws Exception {
        try (SmtpInstallation postlet = new SmtpInstallation(dir, LISTENERS); SmtpDialog smtp = loggedIn(postlet, "alice")) {
            assertThat(smtp.command("MAIL FROM:<sales@example.test>")).startsWith("250 2.1.0");
        }
    }

    /** Inbound mail from other servers names senders of their own; only logins are checked. */
    @Test
    void unauthenticatedClientsAreNotAskedForOwnership() throws Exception {
        try (SmtpInstallation postlet = new SmtpInstallation(dir, LISTENERS);
             SmtpDialog smtp = SmtpDialog.greeted(postlet.port("mx"), "none")) {
            assertThat(smtp.command("MAIL FROM:<alice@example.test>")).startsWith("250 2.1.0");
        }
    }

    @Test
    void senderLoginAnyLetsAUserSendAsAnyone() throws Exception {
        try (SmtpInstallation postlet = new SmtpInstallation(dir, LISTENERS + "  senderLogin: any\n");
             SmtpDialog smtp = loggedIn(postlet, "bob")) {
            assertThat(smtp.command("MAIL FROM:<alice@example.test>")).startsWith("250 2.1.0");
        }
    }

    @Test
    void anUnknownSenderLoginValueIsAConfigProblem() {
        assertThatThrownBy(() -> new SmtpInstallation(dir, LISTENERS + "  senderLogin: sometimes\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("smtp.senderLogin is 'sometimes'").hasMessageContaining("write one of owned | any");
    }

    // ---- Date and Message-ID (RFC 6409 §8) ----------------------------------------------------

    private static final Pattern QUEUED_AS = Pattern.compile("250 2\\.0\\.0 Ok: queued as (\\S+)");

    @Test
    void submittedMailWithoutDateAndMessageIdGetsThem() throws Exception {
        try (SmtpInstallation postlet = new SmtpInstallation(dir, LISTENERS); SmtpDialog smtp = loggedIn(postlet, "bob")) {
            smtp.expect("MAIL FROM:<bob@example.test>", "250");
            smtp.expect("RCPT TO:<alice@example.test>", "250");
            Matcher queued = QUEUED_AS.matcher(smtp.data("From: bob@example.test\r\nSubject: bare\r\n\r\nno date, no id\r\n"));
            assertThat(queued.matches()).isTrue();
            String stored = Files.readString(postlet.awaitMail("alice", 1).get(0));
            String headers = stored.substring(0, stored.indexOf("\n\n") + 1);
            assertThat(headers).contains("\nMessage-ID: <" + queued.group(1) + "@mx.example.test>\n")
                    .containsOnlyOnce("Message-ID:").containsOnlyOnce("Date:");
            Matcher date = Pattern.compile("\nDate: (.+)\n").matcher(headers);
            assertThat(date.find()).isTrue();
            assertThat(ZonedDateTime.parse(date.group(1), DateTimeFormatter.RFC_1123_DATE_TIME))
                    .isBetween(ZonedDateTime.now().minusMinutes(1), ZonedDateTime.now().plusMinutes(1));
            assertThat(stored).endsWith("\n\nno date, no id\n");
        }
    }

    @Test
    void submittedMailKeepsItsOwnDateAndMessageId() throws Exception {
        try (SmtpInstallation postlet = new SmtpInstallation(dir, LISTENERS); SmtpDialog smtp = loggedIn(postlet, "bob")) {
            smtp.expect("MAIL FROM:<bob@example.test>", "250");
            smtp.expect("RCPT TO:<alice@example.test>", "250");
            smtp.expect("DATA", "354");
            assertThat(smtp.command("DATE: Mon, 2 Jan 2006 15:04:05 -0700\r\nmessage-id : <own@laptop.example>\r\n"
                    + "Subject: complete\r\n\r\nbody\r\n.")).startsWith("250 2.0.0");
            String stored = Files.readString(postlet.awaitMail("alice", 1).get(0));
            assertThat(stored).containsOnlyOnce("DATE: Mon, 2 Jan 2006 15:04:05 -0700\n")
                    .containsOnlyOnce("message-id : <own@laptop.example>\n")
                    .doesNotContain("\nDate: ").doesNotContain("Message-ID:");
        }
    }

    /** Mail from other servers is stored as it came: adding headers there is not the receiving MTA's business. */
    @Test
    void unauthenticatedMailIsNotCompleted() throws Exception {
        try (SmtpInstallation postlet = new SmtpInstallation(dir, LISTENERS);
             SmtpDialog smtp = SmtpDialog.greeted(postlet.port("mx"), "none")) {
            smtp.expect("MAIL FROM:<someone@external.test>", "250");
            smtp.expect("RCPT TO:<alice@example.test>", "250");
            assertThat(smtp.data("Subject: inbound\r\n\r\nbody\r\n")).startsWith("250 2.0.0");
            String stored = Files.readString(postlet.awaitMail("alice", 1).get(0));
            assertThat(stored).doesNotContain("Message-ID:").doesNotContain("\nDate:");
        }
    }
}
