package org.postlet.mailet.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;

class FakeMailTest {

    @TempDir
    Path temp;

    @Test
    void directoriesHandedOverForSyncAreSyncedAndRecordedInOrder() throws Exception {
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").build();
        Path inbox = Files.createDirectories(temp.resolve("bob/new"));
        Path junk = Files.createDirectories(temp.resolve("bob/.Junk/new"));
        assertThat(mail.directoriesToSync()).isEmpty();

        mail.syncDirectoryBeforeProcessed(inbox);
        mail.syncDirectoryBeforeProcessed(junk);
        mail.syncDirectoryBeforeProcessed(inbox);

        assertThat(mail.directoriesToSync()).containsExactly(inbox, junk, inbox);
    }

    @Test
    void aMailCanBeMarkedAsPossiblyRedelivered() {
        assertThat(FakeMail.builder().recipients("bob@example.test").build().possiblyRedelivered()).isFalse();
        assertThat(FakeMail.builder().recipients("bob@example.test").possiblyRedelivered().build().possiblyRedelivered()).isTrue();
    }

    @Test
    void aDirectoryThatCannotBeSyncedFailsAndIsNotRecorded() {
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").build();

        assertThatThrownBy(() -> mail.syncDirectoryBeforeProcessed(temp.resolve("missing")))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(mail.directoriesToSync()).isEmpty();
    }

    @Test
    void buildsTheEnvelopeAndTheDefaults() {
        FakeMail mail = FakeMail.builder().recipients("bob@example.test", "<Carol@Example.TEST>").build();
        assertThat(mail.name()).isEqualTo("fake-mail");
        assertThat(mail.state()).isEqualTo(ProcessingState.ROOT);
        assertThat(mail.sender()).contains(new MailAddress("sender", "example.com"));
        assertThat(mail.recipients()).containsExactly(new MailAddress("bob", "example.test"), new MailAddress("Carol", "example.test"));
        assertThat(mail.remoteAddress()).isEqualTo("127.0.0.1");
        assertThat(mail.remoteHost()).isEqualTo("127.0.0.1");
        assertThat(mail.heloName()).isEqualTo("client.example");
        assertThat(mail.authenticatedUser()).isEmpty();
        assertThat(mail.errorMessage()).isEmpty();
        assertThat(mail.attributeNames()).isEmpty();
    }

    @Test
    void everyEnvelopeFieldCanBeSet() {
        FakeMail mail = FakeMail.builder().name("Q1").nullSender().recipients(new MailAddress("x", "y.test"))
                .remoteAddress("192.0.2.7").remoteHost("client.example.net").heloName("helo.example")
                .authenticatedUser("alice").attribute("spam.score", 7.5).state("local").errorMessage("why").build();
        assertThat(mail.name()).isEqualTo("Q1");
        assertThat(mail.sender()).isEmpty();
        assertThat(mail.remoteAddress()).isEqualTo("192.0.2.7");
        assertThat(mail.remoteHost()).isEqualTo("client.example.net");
        assertThat(mail.heloName()).isEqualTo("helo.example");
        assertThat(mail.authenticatedUser()).contains("alice");
        assertThat(mail.attribute("spam.score")).contains(7.5);
        assertThat(mail.state()).isEqualTo(new ProcessingState("local"));
        assertThat(mail.errorMessage()).contains("why");
    }

    @Test
    void aMailWithoutRecipientsIsRefusedWithAHint() {
        assertThatThrownBy(() -> FakeMail.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recipients(");
    }

    @Test
    void theMessageIsParsedOnlyWhenAsked() throws Exception {
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").message("Subject: hi\n\nbody\n").build();
        assertThat(mail.messageParsed()).isFalse();
        assertThat(mail.size()).isEqualTo("Subject: hi\r\n\r\nbody\r\n".length());
        assertThat(mail.messageAsString()).isEqualTo("Subject: hi\r\n\r\nbody\r\n");
        assertThat(mail.messageParsed()).isFalse();

        assertThat(mail.message().getSubject()).isEqualTo("hi");
        assertThat(mail.messageParsed()).isTrue();
    }

    @Test
    void changesToTheMessageShowWhenItIsWritten() throws Exception {
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").message("Subject: hi\n\nbody\n").build();
        mail.message().setHeader("X-Stamp", "checked");
        assertThat(mail.messageAsString()).contains("X-Stamp: checked\r\n").endsWith("\r\n\r\nbody\r\n");
    }

    @Test
    void aJakartaMailMessageIsUsedAsIs() throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setSubject("built");
        m.setText("text");
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").message(m).build();
        assertThat(mail.message()).isSameAs(m);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.writeMessageTo(out);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Subject: built").endsWith("text");
        assertThat(mail.size()).isEqualTo(out.size());
    }

    @Test
    void sizeCanBeFakedForSizeLimits() {
        assertThat(FakeMail.builder().recipients("b@example.test").size(30_000_000).build().size()).isEqualTo(30_000_000);
    }

    @Test
    void recipientsStateAttributesAndErrorAreMutableAndTouchTheMail() {
        Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
        FakeMail mail = FakeMail.builder().recipients("a@example.test", "b@example.test").clock(clock).build();
        mail.recipients().remove(new MailAddress("a", "example.test"));
        assertThat(mail.recipients()).containsExactly(new MailAddress("b", "example.test"));
        mail.setRecipients(mail.recipients());
        assertThat(mail.recipients()).hasSize(1);
        mail.setRecipients(List.of(new MailAddress("c", "example.test")));
        assertThat(mail.recipients()).containsExactly(new MailAddress("c", "example.test"));
        mail.setState(ProcessingState.GHOST);
        mail.setAttribute("a", "1");
        mail.setErrorMessage("failed");
        assertThat(mail.state()).isEqualTo(ProcessingState.GHOST);
        assertThat(mail.attributeNames()).containsExactly("a");
        mail.removeAttribute("a");
        assertThat(mail.attribute("a")).isEmpty();
        assertThat(mail.errorMessage()).contains("failed");
        assertThat(mail.lastUpdated()).isEqualTo(clock.instant());
    }

    @Test
    void utf8MessagesSurvive() throws Exception {
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").message("Subject: Grüße\n\nÄpfel\n").build();
        assertThat(mail.messageAsString()).contains("Äpfel");
        assertThat(mail.size()).isEqualTo("Subject: Grüße\r\n\r\nÄpfel\r\n".getBytes(StandardCharsets.UTF_8).length);
    }
}
