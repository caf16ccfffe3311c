package org.postlet.mailet.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.slf4j.event.Level;

class RecordingMailetContextTest {

    private static MailAddress a(String text) {
        return MailAddress.parse(text);
    }

    @Test
    void usersAndAliasesMakeTheirDomainsLocal() {
        RecordingMailetContext c = RecordingMailetContext.builder()
                .localUsers("alice@example.test", "bob@example.test")
                .localDomains("other.test")
                .alias("team@example.test", "Alice@example.test", "ext@remote.example", "all@example.test")
                .alias("all@example.test", "bob@example.test", "team@example.test")
                .build();
        assertThat(c.isLocalDomain("EXAMPLE.test")).isTrue();
        assertThat(c.isLocalDomain("other.test")).isTrue();
        assertThat(c.isLocalDomain("remote.example")).isFalse();
        assertThat(c.isLocalUser(a("ALICE@example.test"))).isTrue();
        assertThat(c.isLocalUser(a("team@example.test"))).isTrue();
        assertThat(c.isLocalUser(a("carol@example.test"))).isFalse();
        assertThat(c.isLocalUser(a("alice@other.test"))).isFalse();
        assertThat(c.localMailboxes(a("alice@example.test"))).containsExactly(a("alice@example.test"));
        assertThat(c.localMailboxes(a("team@example.test"))).containsExactly(a("alice@example.test"), a("bob@example.test"));
        assertThat(c.localMailboxes(a("carol@example.test"))).isEmpty();
        assertThat(c.postmaster()).isEqualTo(a("postmaster@example.test"));
        assertThat(c.serverHostname()).isEqualTo("mx.example.test");
    }

    @Test
    void postmasterAndHostnameCanBeSet() {
        RecordingMailetContext c = RecordingMailetContext.builder().hostname("mail.test").build();
        assertThat(c.postmaster()).isEqualTo(a("postmaster@mail.test"));
        assertThat(RecordingMailetContext.builder().postmaster("root@x.test").build().postmaster()).isEqualTo(a("root@x.test"));
    }

    @Test
    void sentMailsAreRecordedAsCopies() throws Exception {
        RecordingMailetContext c = RecordingMailetContext.builder().build();
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setSubject("notice");
        m.setText("body");
        c.sendMail(Optional.empty(), List.of(a("postmaster@example.test")), m, ProcessingState.ROOT);
        m.setSubject("changed afterwards");

        assertThat(c.sentMails()).singleElement().satisfies(s -> {
            assertThat(s.sender()).isEmpty();
            assertThat(s.recipients()).containsExactly(a("postmaster@example.test"));
            assertThat(s.state()).isEqualTo(ProcessingState.ROOT);
            assertThat(s.subject()).contains("notice");
        });
        c.clear();
        assertThat(c.sentMails()).isEmpty();
    }

    @Test
    void sendingWithoutRecipientsFailsAsInTheServer() {
        RecordingMailetContext c = RecordingMailetContext.builder().build();
        assertThatThrownBy(() -> c.sendMail(Optional.empty(), List.of(), new MimeMessage((Session) null), ProcessingState.ROOT))
                .hasMessageContaining("at least one recipient");
    }

    @Test
    void logLinesAreRecordedFormatted() {
        RecordingMailetContext c = RecordingMailetContext.builder().build();
        IllegalStateException boom = new IllegalStateException("boom");
        c.logger().info("{}: delivered to {}", "Q1", "alice");
        c.logger().warn("failed", boom);
        c.logger().debug("{} {} {}", 1, 2, 3);
        assertThat(c.logLines()).extracting(RecordingMailetContext.LogLine::message)
                .containsExactly("Q1: delivered to alice", "failed", "1 2 3");
        assertThat(c.logLines(Level.WARN)).singleElement().satisfies(l -> assertThat(l.error()).containsSame(boom));
    }
}
