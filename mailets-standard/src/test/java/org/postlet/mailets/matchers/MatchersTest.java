package org.postlet.mailets.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.MessagingException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.Matcher;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMatcherConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.mailets.delivery.RemoteDelivery;
import org.postlet.maildir.Delivery;
import org.postlet.maildir.MaildirStore;

/** One nested test per standard matcher, each run with the test kit. */
class MatchersTest {

    static final RecordingMailetContext CONTEXT = RecordingMailetContext.builder().localDomains("example.test")
            .localUsers("alice@example.test", "bob@example.test").build();

    static <M extends Matcher> M init(M matcher, String name, String condition) throws MessagingException {
        FakeMatcherConfig.Builder b = FakeMatcherConfig.builder().matcherName(name).context(CONTEXT);
        if (condition != null) {
            b.condition(condition);
        }
        matcher.init(b.build());
        return matcher;
    }

    static FakeMail.Builder mail() {
        return FakeMail.builder().sender("carol@elsewhere.example").recipients("alice@example.test", "dave@other.example");
    }

    static boolean all(Matcher m, Mail mail) throws MessagingException {
        int n = m.match(mail).size();
        assertThat(n == 0 || n == mail.recipients().size()).as("a whole-mail matcher selects all or none").isTrue();
        return n > 0;
    }

    static MailAddress a(String s) {
        return MailAddress.parse(s);
    }

    @Nested
    class RecipientIsTest {
        @Test
        void selectsListedRecipients() throws Exception {
            Matcher m = init(new RecipientIs(), "RecipientIs", "dave@OTHER.example, x@y.example");
            assertThat(m.match(mail().build())).containsExactly(a("dave@other.example"));
        }

        @Test
        void refusesABadAddress() {
            assertThatThrownBy(() -> init(new RecipientIs(), "RecipientIs", "not an address"))
                    .isInstanceOf(MailetException.class).hasMessageContaining("is not an address").hasMessageContaining("—");
            assertThatThrownBy(() -> init(new RecipientIs(), "RecipientIs", null)).hasMessageContaining("needs a condition");
        }
    }

    @Nested
    class RecipientIsRegexTest {
        @Test
        void selectsMatchingRecipients() throws Exception {
            assertThat(init(new RecipientIsRegex(), "RecipientIsRegex", "^.*@example\\.test$").match(mail().build()))
                    .containsExactly(a("alice@example.test"));
            assertThatThrownBy(() -> init(new RecipientIsRegex(), "RecipientIsRegex", "(")).hasMessageContaining("not a regular expression");
        }
    }

    @Nested
    class RecipientDomainIsTest {
        @Test
        void selectsByDomain() throws Exception {
            assertThat(init(new RecipientDomainIs(), "RecipientDomainIs", "Other.Example").match(mail().build()))
                    .containsExactly(a("dave@other.example"));
        }
    }

    @Nested
    class RecipientIsLocalTest {
        @Test
        void selectsLocalUsers() throws Exception {
            assertThat(init(new RecipientIsLocal(), "RecipientIsLocal", null).match(mail().build())).containsExactly(a("alice@example.test"));
        }
    }

    @Nested
    class RecipientDomainIsLocalTest {
        @Test
        void selectsEveryoneOfALocalDomainKnownOrNot() throws Exception {
            FakeMail m = FakeMail.builder().sender("carol@elsewhere.example")
                    .recipients("alice@example.test", "nobody@example.test", "dave@other.example").build();
            assertThat(init(new RecipientDomainIsLocal(), "RecipientDomainIsLocal", null).match(m))
                    .containsExactly(a("alice@example.test"), a("nobody@example.test"));
        }
    }

    @Nested
    class AllTest {
        @Test
        void selectsEveryone() throws Exception {
            assertThat(init(new All(), "All", null).match(mail().build())).hasSize(2);
        }
    }

    @Nested
    class SenderTests {
        @Test
        void senderIs() throws Exception {
            assertThat(all(init(new SenderIs(), "SenderIs", "carol@elsewhere.example"), mail().build())).isTrue();
            assertThat(all(init(new SenderIs(), "SenderIs", "carol@elsewhere.example"), mail().nullSender().build())).isFalse();
        }

        @Test
        void senderIsLocal() throws Exception {
            Matcher m = init(new SenderIsLocal(), "SenderIsLocal", null);
            assertThat(all(m, mail().build())).isFalse();
            assertThat(all(m, mail().sender("bob@example.test").build())).isTrue();
            assertThatThrownBy(() -> init(new SenderIsLocal(), "SenderIsLocal", "x")).hasMessageContaining("takes no condition");
        }

        @Test
        void senderIsNull() throws Exception {
            Matcher m = init(new SenderIsNull(), "SenderIsNull", null);
            assertThat(all(m, mail().nullSender().build())).isTrue();
            assertThat(all(m, mail().build())).isFalse();
        }

        @Test
        void senderIsRegex() throws Exception {
            assertThat(all(init(new SenderIsRegex(), "SenderIsRegex", "^carol@.*$"), mail().build())).isTrue();
            assertThat(all(init(new SenderIsRegex(), "SenderIsRegex", "^bob@.*$"), mail().build())).isFalse();
        }

        @Test
        void senderDomainIs() throws Exception {
            assertThat(all(init(new SenderDomainIs(), "SenderDomainIs", "elsewhere.example, x.example"), mail().build())).isTrue();
            assertThat(all(init(new SenderDomainIs(), "SenderDomainIs", "example.test"), mail().build())).isFalse();
        }
    }

    @Nested
    class HasHeaderTest {
        @Test
        void nameValueAndPlus() throws Exception {
            FakeMail spam = mail().message("X-Spam-Flag: yes\r\nList-Id: <x>\r\nSubject: hi\r\n\r\nbody\r\n").build();
            assertThat(all(init(new HasHeader(), "HasHeader", "X-Spam-Flag:YES"), spam)).isTrue();
            assertThat(all(init(new HasHeader(), "HasHeader", "X-Spam-Flag:NO"), spam)).isFalse();
            assertThat(all(init(new HasHeader(), "HasHeader", "List-Id+X-Spam-Flag"), spam)).isTrue();
            assertThat(all(init(new HasHeader(), "HasHeader", "List-Id+Precedence"), spam)).isFalse();
            assertThatThrownBy(() -> init(new HasHeader(), "HasHeader", ":x")).hasMessageContaining("header name");
        }
    }

    @Nested
    class SubjectTests {
        final FakeMail hello = mail().message("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_and_invoice_42?=\r\n\r\nx\r\n").build();

        @Test
        void subjectIs() throws Exception {
            assertThat(all(init(new SubjectIs(), "SubjectIs", "Grüße and invoice 42"), hello)).isTrue();
            assertThat(all(init(new SubjectIs(), "SubjectIs", "Grüße"), hello)).isFalse();
        }

        @Test
        void subjectStartsWith() throws Exception {
            assertThat(all(init(new SubjectStartsWith(), "SubjectStartsWith", "Grüße"), hello)).isTrue();
        }

        @Test
        void subjectMatches() throws Exception {
            assertThat(all(init(new SubjectMatches(), "SubjectMatches", "(?i)INVOICE \\d+"), hello)).isTrue();
            assertThat(all(init(new SubjectMatches(), "SubjectMatches", "receipt"), hello)).isFalse();
        }
    }

    @Nested
    class SizeGreaterThanTest {
        @Test
        void comparesTheSize() throws Exception {
            Matcher m = init(new SizeGreaterThan(), "SizeGreaterThan", "10k");
            assertThat(all(m, mail().size(10 * 1024 + 1).build())).isTrue();
            assertThat(all(m, mail().size(10 * 1024).build())).isFalse();
            assertThatThrownBy(() -> init(new SizeGreaterThan(), "SizeGreaterThan", "big")).hasMessageContaining("not a size");
        }
    }

    @Nested
    class RemoteAddrTests {
        @Test
        void inNetworkIPv4AndIPv6() throws Exception {
            Matcher m = init(new RemoteAddrInNetwork(), "RemoteAddrInNetwork", "192.0.2.0/24, 2001:db8::/32");
            assertThat(all(m, mail().remoteAddress("192.0.2.77").build())).isTrue();
            assertThat(all(m, mail().remoteAddress("192.0.3.1").build())).isFalse();
            assertThat(all(m, mail().remoteAddress("2001:db8:1::5").build())).isTrue();
            assertThat(all(m, mail().remoteAddress("::ffff:192.0.2.1").build())).isTrue();
            assertThatThrownBy(() -> init(new RemoteAddrInNetwork(), "RemoteAddrInNetwork", "mx.example.test"))
                    .hasMessageContaining("not an IP network");
            assertThatThrownBy(() -> init(new RemoteAddrInNetwork(), "RemoteAddrInNetwork", "10.0.0.0/33"))
                    .hasMessageContaining("not an IP network");
        }

        @Test
        void notInNetwork() throws Exception {
            Matcher m = init(new RemoteAddrNotInNetwork(), "RemoteAddrNotInNetwork", "127.0.0.0/8, ::1");
            assertThat(all(m, mail().remoteAddress("127.0.0.1").build())).isFalse();
            assertThat(all(m, mail().remoteAddress("::1").build())).isFalse();
            assertThat(all(m, mail().remoteAddress("203.0.113.9").build())).isTrue();
        }
    }

    @Nested
    class SmtpAuthTests {
        @Test
        void successful() throws Exception {
            Matcher m = init(new SMTPAuthSuccessful(), "SMTPAuthSuccessful", null);
            assertThat(all(m, mail().authenticatedUser("alice@example.test").build())).isTrue();
            assertThat(all(m, mail().build())).isFalse();
        }

        @Test
        void userIs() throws Exception {
            Matcher m = init(new SMTPAuthUserIs(), "SMTPAuthUserIs", "Alice@example.test");
            assertThat(all(m, mail().authenticatedUser("alice@example.test").build())).isTrue();
            assertThat(all(m, mail().authenticatedUser("bob@example.test").build())).isFalse();
        }
    }

    static final String WITH_ATTACHMENT = """
            Subject: files\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            see attached\r
            --b\r
            Content-Type: application/octet-stream\r
            Content-Disposition: attachment; filename="Setup.EXE"\r
            \r
            MZ\r
            --b--\r
            """;

    @Nested
    class AttachmentTests {
        @Test
        void hasAttachment() throws Exception {
            Matcher m = init(new HasAttachment(), "HasAttachment", null);
            assertThat(all(m, mail().message(WITH_ATTACHMENT).build())).isTrue();
            assertThat(all(m, mail().message("Subject: x\r\n\r\nplain\r\n").build())).isFalse();
        }

        @Test
        void attachmentFileNameIs() throws Exception {
            assertThat(all(init(new AttachmentFileNameIs(), "AttachmentFileNameIs", "*.zip, *.exe"), mail().message(WITH_ATTACHMENT).build())).isTrue();
            assertThat(all(init(new AttachmentFileNameIs(), "AttachmentFileNameIs", "*.pdf"), mail().message(WITH_ATTACHMENT).build())).isFalse();
        }
    }

    @Nested
    class HasMailAttributeTest {
        @Test
        void nameOrNameValue() throws Exception {
            FakeMail m = mail().attribute("quarantine", "yes").build();
            assertThat(all(init(new HasMailAttribute(), "HasMailAttribute", "quarantine"), m)).isTrue();
            assertThat(all(init(new HasMailAttribute(), "HasMailAttribute", "quarantine=yes"), m)).isTrue();
            assertThat(all(init(new HasMailAttribute(), "HasMailAttribute", "quarantine=no"), m)).isFalse();
            assertThat(all(init(new HasMailAttribute(), "HasMailAttribute", "other"), m)).isFalse();
        }
    }

    @Nested
    class RecipientCountTests {
        @Test
        void tooManyRecipients() throws Exception {
            assertThat(all(init(new TooManyRecipients(), "TooManyRecipients", "1"), mail().build())).isTrue();
            assertThat(all(init(new TooManyRecipients(), "TooManyRecipients", "2"), mail().build())).isFalse();
            assertThatThrownBy(() -> init(new TooManyRecipients(), "TooManyRecipients", "0")).hasMessageContaining("at least 1");
        }

        @Test
        void isSingleRecipient() throws Exception {
            Matcher m = init(new IsSingleRecipient(), "IsSingleRecipient", null);
            assertThat(all(m, mail().build())).isFalse();
            assertThat(all(m, FakeMail.builder().recipients("alice@example.test").build())).isTrue();
        }
    }

    @Nested
    class RelayLimitTest {
        @Test
        void countsReceivedHeaders() throws Exception {
            String msg = "Received: a\r\nReceived: b\r\nReceived: c\r\nSubject: x\r\n\r\nx\r\n";
            assertThat(all(init(new RelayLimit(), "RelayLimit", "3"), mail().message(msg).build())).isTrue();
            assertThat(all(init(new RelayLimit(), "RelayLimit", "4"), mail().message(msg).build())).isFalse();
        }
    }

    @Nested
    class IsOverQuotaTest {
        @TempDir
        Path root;

        @Test
        void selectsRecipientsWhoseMailboxWouldOverflow() throws Exception {
            MailAddress alice = a("alice@example.test");
            MaildirStore store = new MaildirStore(root, "%d/%n", "mx.example.test");
            store.deliver(new Delivery(alice, Optional.empty(), Optional.empty(), out -> out.write(new byte[900]), Optional.empty()));
            IsOverQuota m = init(new IsOverQuota(store, mb -> mb.equals(alice) ? OptionalLong.of(1000) : OptionalLong.empty()),
                    "IsOverQuota", null);
            FakeMail mail = FakeMail.builder().recipients("alice@example.test", "bob@example.test").size(200).build();
            assertThat(m.match(mail)).containsExactly(alice);
            assertThat(m.match(FakeMail.builder().recipients("alice@example.test").size(50).build())).isEmpty();
        }
    }

    @Nested
    class RemoteDeliveryMatchersTest {
        private FakeMail failed(Integer code, boolean permanent) {
            FakeMail.Builder b = mail().attribute(RemoteDelivery.PERMANENT, permanent).attribute(RemoteDelivery.ERROR, "x");
            if (code != null) {
                b.attribute(RemoteDelivery.SMTP_CODE, code);
            }
            return b.build();
        }

        @Test
        void routeOnTheRemotesReplyCodeAndItsPermanence() throws MessagingException {
            Matcher code = init(new RemoteDeliveryFailedWithSMTPCode(), "RemoteDeliveryFailedWithSMTPCode", "550, 553");
            Matcher permanent = init(new IsRemoteDeliveryPermanentError(), "IsRemoteDeliveryPermanentError", null);
            Matcher temporary = init(new IsRemoteDeliveryTemporaryError(), "IsRemoteDeliveryTemporaryError", null);

            assertThat(all(code, failed(550, true))).isTrue();
            assertThat(all(code, failed(553, true))).isTrue();
            assertThat(all(code, failed(552, true))).isFalse();
            assertThat(all(code, failed(null, true))).isFalse();
            assertThat(all(permanent, failed(550, true))).isTrue();
            assertThat(all(temporary, failed(550, true))).isFalse();
            assertThat(all(temporary, failed(451, false))).isTrue();
            assertThat(all(permanent, mail().build())).isFalse();
            assertThat(all(temporary, mail().build())).isFalse();
        }

        @Test
        void aConditionThatIsNoReplyCodeIsRefused() {
            assertThatThrownBy(() -> init(new RemoteDeliveryFailedWithSMTPCode(), "RemoteDeliveryFailedWithSMTPCode", "55O"))
                    .isInstanceOf(MailetException.class).hasMessageContaining("not an SMTP reply code");
        }
    }
}
