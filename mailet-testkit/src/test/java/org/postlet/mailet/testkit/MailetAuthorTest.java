package org.postlet.mailet.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ProcessingState;

/** The kit as a mailet author uses it: each test is a few lines. */
class MailetAuthorTest {

    /** Adds a header and tells the postmaster. */
    static final class Tag extends GenericMailet {
        private String tag;

        @Override
        public void init() throws MessagingException {
            tag = getRequiredParameter("tag");
        }

        @Override
        public void service(Mail mail) throws MessagingException {
            mail.message().setHeader("X-Tag", tag);
            MimeMessage notice = new MimeMessage(mail.message());
            notice.setSubject("tagged " + mail.name());
            getMailetContext().sendMail(Optional.empty(), java.util.List.of(getMailetContext().postmaster()), notice,
                    ProcessingState.ROOT);
            getMailetContext().logger().info("{}: tagged {}", mail.name(), tag);
        }
    }

    /** Selects local recipients of one domain given as condition. */
    static final class LocalIn extends GenericRecipientMatcher {
        @Override
        public boolean matchRecipient(MailAddress recipient) throws MailetException {
            return recipient.domain().equals(getRequiredCondition()) && getMailetContext().isLocalUser(recipient);
        }
    }

    @Test
    void aMailetTestIsFiveLines() throws Exception {
        Tag mailet = new Tag();
        mailet.init(FakeMailetConfig.builder().mailetName("Tag").parameter("tag", "seen").build());
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").message("Subject: hi\n\nbody\n").build();
        mailet.service(mail);
        assertThat(mail.message().getHeader("X-Tag", null)).isEqualTo("seen");
    }

    @Test
    void whatTheMailetSentAndLoggedCanBeAsserted() throws Exception {
        RecordingMailetContext context = RecordingMailetContext.builder().localDomains("example.test").build();
        Tag mailet = new Tag();
        mailet.init(FakeMailetConfig.builder().parameter("tag", "seen").context(context).build());
        mailet.service(FakeMail.builder().name("Q7").recipients("bob@example.test").build());
        assertThat(context.sentMails()).singleElement().satisfies(s -> {
            assertThat(s.recipients()).containsExactly(MailAddress.parse("postmaster@example.test"));
            assertThat(s.subject()).contains("tagged Q7");
        });
        assertThat(context.logLines()).extracting(Object::toString).containsExactly("INFO Q7: tagged seen");
    }

    @Test
    void aMissingRequiredParameterFailsAsAtStartUp() {
        assertThatThrownBy(() -> new Tag().init(FakeMailetConfig.builder().mailetName("Tag").build()))
                .isInstanceOf(MailetException.class).hasMessageContaining("Tag needs the parameter 'tag'");
    }

    @Test
    void aMatcherTestIsAsShort() throws Exception {
        LocalIn matcher = new LocalIn();
        matcher.init(FakeMatcherConfig.builder().matcherName("LocalIn").condition("example.test")
                .context(RecordingMailetContext.builder().localUsers("alice@example.test").build()).build());
        FakeMail mail = FakeMail.builder().recipients("alice@example.test", "bob@example.test", "alice@other.test").build();
        assertThat(matcher.match(mail)).containsExactly(MailAddress.parse("alice@example.test"));
    }

    @Test
    void configsHaveDefaultsAndCarryParameters() {
        FakeMailetConfig c = FakeMailetConfig.builder().parameter("n", 3).parameter("flag", true).build();
        assertThat(c.mailetName()).isEqualTo("TestMailet");
        assertThat(c.initParameter("n")).contains("3");
        assertThat(c.initParameterNames()).containsExactlyInAnyOrder("n", "flag");
        assertThat(c.context()).isInstanceOf(RecordingMailetContext.class);
        FakeMatcherConfig m = FakeMatcherConfig.builder().build();
        assertThat(m.condition()).isEmpty();
        assertThat(m.matcherName()).isEqualTo("TestMatcher");
    }
}
