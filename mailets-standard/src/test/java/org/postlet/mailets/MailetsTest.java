package org.postlet.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.Mailet;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.maildir.MaildirStore;
import org.postlet.mailets.attributes.RemoveMailAttribute;
import org.postlet.mailets.attributes.SetMailAttribute;
import org.postlet.mailets.delivery.LocalDelivery;
import org.postlet.mailets.flow.Null;
import org.postlet.mailets.flow.ToProcessor;
import org.postlet.mailets.headers.AddFooter;
import org.postlet.mailets.headers.AddHeader;
import org.postlet.mailets.headers.AddSubjectPrefix;
import org.postlet.mailets.headers.RemoveMimeHeader;
import org.postlet.mailets.headers.SetMimeHeader;
import org.postlet.mailets.logging.LogMessage;
import org.postlet.mailets.notify.Bounce;
import org.postlet.mailets.notify.NotifyPostmaster;
import org.postlet.mailets.recipients.Forward;
import org.postlet.mailets.recipients.RecipientRewrite;
import org.postlet.mailets.recipients.RecipientToLowerCase;
import org.postlet.mailets.recipients.Redirect;
import org.postlet.mailets.recipients.RemoveRecipients;
import org.postlet.mailets.repository.ToRepository;

/** One nested test per standard mailet, each run with the test kit. */
class MailetsTest {

    final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test").localDomains("example.test")
            .localUsers("alice@example.test", "bob@example.test").alias("team@example.test", "alice@example.test", "bob@example.test")
            .postmaster("postmaster@example.test").build();

    <M extends Mailet> M init(M mailet, String name, String... params) throws MessagingException {
        FakeMailetConfig.Builder b = FakeMailetConfig.builder().mailetName(name).context(context);
        for (int i = 0; i < params.length; i += 2) {
            b.parameter(params[i], params[i + 1]);
        }
        mailet.init(b.build());
        return mailet;
    }

    static FakeMail.Builder mail() {
        return FakeMail.builder().name("Q1").sender("carol@elsewhere.example").recipients("alice@example.test")
                .message("Message-ID: <m1@elsewhere.example>\r\nSubject: Hello\r\nX-Spam-Flag: YES\r\n\r\nHi Alice\r\n");
    }

    static String text(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    static MailAddress a(String s) {
        return MailAddress.parse(s);
    }

    @Nested
    class Headers {
        @Test
        void setMimeHeaderReplaces() throws Exception {
            FakeMail m = mail().build();
            init(new SetMimeHeader(), "SetMimeHeader", "name", "X-Spam-Flag", "value", "NO").service(m);
            assertThat(m.message().getHeader("X-Spam-Flag")).containsExactly("NO");
            assertThatThrownBy(() -> init(new SetMimeHeader(), "SetMimeHeader", "name", "X-A", "value", "a\r\nBcc: x"))
                    .hasMessageContaining("line break");
            assertThatThrownBy(() -> init(new SetMimeHeader(), "SetMimeHeader", "name", "Bad Name", "value", "x"))
                    .hasMessageContaining("not a header name");
        }

        @Test
        void addHeaderAdds() throws Exception {
            FakeMail m = mail().build();
            init(new AddHeader(), "AddHeader", "name", "X-Spam-Flag", "value", "again").service(m);
            assertThat(m.message().getHeader("X-Spam-Flag")).containsExactly("YES", "again");
        }

        @Test
        void removeMimeHeader() throws Exception {
            FakeMail m = mail().build();
            init(new RemoveMimeHeader(), "RemoveMimeHeader", "name", "x-spam-flag, X-Absent").service(m);
            assertThat(m.message().getHeader("X-Spam-Flag")).isNull();
        }

        @Test
        void addSubjectPrefixOnce() throws Exception {
            FakeMail m = mail().build();
            Mailet p = init(new AddSubjectPrefix(), "AddSubjectPrefix", "prefix", "[ext]");
            p.service(m);
            p.service(m);
            assertThat(m.message().getSubject()).isEqualTo("[ext] Hello");
        }

        @Test
        void addFooterToPlainText() throws Exception {
            FakeMail m = mail().build();
            init(new AddFooter(), "AddFooter", "text", "-- \\nfooter").service(m);
            assertThat(m.message().getContent().toString()).isEqualTo("Hi Alice\r\n-- \nfooter\n");
            assertThat(m.message().getMessageID()).isEqualTo("<m1@elsewhere.example>");
        }

        @Test
        void addFooterKeepsAlternativeAndAttachments() throws Exception {
            String msg = """
                    Message-ID: <m2@x>\r
                    MIME-Version: 1.0\r
                    Content-Type: multipart/mixed; boundary="outer"\r
                    \r
                    --outer\r
                    Content-Type: multipart/alternative; boundary="alt"\r
                    \r
                    --alt\r
                    Content-Type: text/plain\r
                    \r
                    plain body\r
                    --alt\r
                    Content-Type: text/html\r
                    \r
                    <html><body><p>html body</p></body></html>\r
                    --alt--\r
                    --outer\r
                    Content-Type: text/plain\r
                    Content-Disposition: attachment; filename="notes.txt"\r
                    \r
                    attached text\r
                    --outer--\r
                    """;
            FakeMail m = mail().message(msg).build();
            init(new AddFooter(), "AddFooter", "text", "FOOT", "html", "<p>FOOT</p>").service(m);
            MimeMessage reparsed = new MimeMessage(null, new java.io.ByteArrayInputStream(text(m.message()).getBytes(StandardCharsets.UTF_8)));
            Multipart outer = (Multipart) reparsed.getContent();
            assertThat(outer.getCount()).isEqualTo(2);
            Multipart alt = (Multipart) outer.getBodyPart(0).getContent();
            assertThat(alt.getBodyPart(0).getContent().toString()).contains("plain body").endsWith("FOOT\n");
            assertThat(alt.getBodyPart(1).getContent().toString()).contains("<p>html body</p><p>FOOT</p></body>");
            assertThat(outer.getBodyPart(1).getContent().toString()).doesNotContain("FOOT");
            assertThat(reparsed.getMessageID()).isEqualTo("<m2@x>");
        }
    }

    @Nested
    class Attributes {
        @Test
        void setAndRemove() throws Exception {
            FakeMail m = mail().build();
            init(new SetMailAttribute(), "SetMailAttribute", "name", "a.b", "value", "yes").service(m);
            assertThat(m.attribute("a.b")).contains("yes");
            init(new RemoveMailAttribute(), "RemoveMailAttribute", "name", "a.b, c").service(m);
            assertThat(m.attributeNames()).isEmpty();
        }
    }

    @Nested
    class Recipients {
        @TempDir
        Path conf;

        @Test
        void recipientToLowerCase() throws Exception {
            FakeMail m = FakeMail.builder().recipients("Alice@example.test", "alice@example.test", "Bob@Example.test").build();
            init(new RecipientToLowerCase(), "RecipientToLowerCase").service(m);
            assertThat(m.recipients()).containsExactly(a("alice@example.test"), a("bob@example.test"));
        }

        @Test
        void removeRecipientsByListRegexOrAll() throws Exception {
            FakeMail m = FakeMail.builder().recipients("a@x.example", "noreply@x.example", "b@x.example").build();
            init(new RemoveRecipients(), "RemoveRecipients", "addresses", "a@x.example", "regex", "^noreply@.*$").service(m);
            assertThat(m.recipients()).containsExactly(a("b@x.example"));
            assertThat(context.logLines()).anyMatch(l -> l.message().contains("removed recipient(s) [a@x.example, noreply@x.example]"));
            init(new RemoveRecipients(), "RemoveRecipients").service(m);
            assertThat(m.recipients()).isEmpty();
            assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        }

        @Test
        void recipientRewriteWithFileDomainsAndRegex() throws Exception {
            Files.writeString(conf.resolve("aliases"), "# team\nsales@example.test: alice@example.test, boss@example.org\n");
            RecipientRewrite r = init(new RecipientRewrite(conf), "RecipientRewrite", "file", "aliases",
                    "domains", "example.org=example.test", "regex", "^(.*)\\+.*@example\\.test$ -> $1@example.test");
            FakeMail m = FakeMail.builder().recipients("sales@example.test", "bob+lists@example.test", "x@other.example").build();
            r.service(m);
            assertThat(m.recipients()).containsExactly(a("alice@example.test"), a("boss@example.test"), a("bob@example.test"),
                    a("x@other.example"));
        }

        @Test
        void recipientRewriteDetectsLoops() throws Exception {
            Files.writeString(conf.resolve("aliases"), "a@example.test: b@example.test\nb@example.test: a@example.test\n"
                    + "c@example.test: c@example.test, d@example.test\n");
            RecipientRewrite r = init(new RecipientRewrite(conf), "RecipientRewrite", "file", "aliases");
            assertThatThrownBy(() -> r.service(FakeMail.builder().recipients("a@example.test").build()))
                    .hasMessageContaining("alias loop: a@example.test -> b@example.test -> a@example.test");
            FakeMail keep = FakeMail.builder().recipients("c@example.test").build();
            r.service(keep);
            assertThat(keep.recipients()).containsExactly(a("c@example.test"), a("d@example.test"));
            assertThatThrownBy(() -> init(new RecipientRewrite(conf), "RecipientRewrite", "file", "missing"))
                    .hasMessageContaining("cannot read the aliases file");
        }

        @Test
        void recipientRewriteWithoutParametersUsesTheServersAliases() throws Exception {
            FakeMail m = FakeMail.builder().recipients("team@example.test").build();
            init(new RecipientRewrite(conf), "RecipientRewrite").service(m);
            assertThat(m.recipients()).containsExactly(a("alice@example.test"), a("bob@example.test"));
        }

        @Test
        void forwardSendsTheOriginal() throws Exception {
            FakeMail m = mail().build();
            init(new Forward(), "Forward", "forwardTo", "bob@example.test, z@other.example").service(m);
            assertThat(context.sentMails()).singleElement().satisfies(s -> {
                assertThat(s.sender()).contains(a("carol@elsewhere.example"));
                assertThat(s.recipients()).containsExactly(a("bob@example.test"), a("z@other.example"));
                assertThat(s.subject()).contains("Hello");
            });
            assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        }

        @Test
        void redirectWithNewSenderPrefixAndTo() throws Exception {
            FakeMail m = mail().build();
            init(new Redirect(), "Redirect", "recipients", "bob@example.test, sender", "sender", "postmaster",
                    "subjectPrefix", "[moved]", "replaceTo", "true", "passThrough", "true").service(m);
            RecordingMailetContext.SentMail s = context.sentMails().get(0);
            assertThat(s.sender()).contains(a("postmaster@example.test"));
            assertThat(s.recipients()).containsExactly(a("bob@example.test"), a("carol@elsewhere.example"));
            assertThat(s.subject()).contains("[moved] Hello");
            assertThat(s.message().getHeader("To", ",")).contains("bob@example.test");
            assertThat(m.state()).isNotEqualTo(ProcessingState.GHOST);
        }
    }

    @Nested
    class Notify {
        @Test
        void bounceIsAnRfc3464ReportFromTheNullSender() throws Exception {
            FakeMail m = mail().errorMessage("mailbox unavailable").build();
            init(new Bounce(), "Bounce", "status", "5.1.1").service(m);
            RecordingMailetContext.SentMail s = context.sentMails().get(0);
            assertThat(s.sender()).isEmpty();
            assertThat(s.recipients()).containsExactly(a("carol@elsewhere.example"));
            String dsn = text(s.message());
            assertThat(s.message().getContentType()).contains("multipart/report").contains("report-type=delivery-status");
            assertThat(dsn).contains("Content-Type: message/delivery-status").contains("Final-Recipient: rfc822; alice@example.test")
                    .contains("Action: failed").contains("Status: 5.1.1").contains("Diagnostic-Code: X-Postlet; mailbox unavailable")
                    .contains("Reporting-MTA: dns; mx.example.test").contains("Content-Type: message/rfc822")
                    .contains("Subject: Hello").contains("Auto-Submitted: auto-replied");
            assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        }

        @Test
        void neverBouncesTheNullSender() throws Exception {
            FakeMail m = mail().nullSender().build();
            init(new Bounce(), "Bounce").service(m);
            assertThat(context.sentMails()).isEmpty();
            assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
            assertThatThrownBy(() -> init(new Bounce(), "Bounce", "status", "550")).hasMessageContaining("RFC 3463");
        }

        @Test
        void notifyPostmaster() throws Exception {
            FakeMail m = mail().build();
            init(new NotifyPostmaster(), "NotifyPostmaster", "notice", "Look", "attachment", "headers").service(m);
            RecordingMailetContext.SentMail s = context.sentMails().get(0);
            assertThat(s.sender()).isEmpty();
            assertThat(s.recipients()).containsExactly(a("postmaster@example.test"));
            assertThat(s.subject()).contains("[mx.example.test] Look: Hello");
            assertThat(text(s.message())).contains("Queue id:   Q1").contains("text/rfc822-headers").doesNotContain("Hi Alice");
            assertThat(m.state()).isNotEqualTo(ProcessingState.GHOST);
        }
    }

    @Nested
    class Logging {
        @Test
        void templateHeadersAndPreview() throws Exception {
            init(new LogMessage(), "LogMessage", "template", "{id} from {sender}", "headers", "Subject", "bodyPreview", "5",
                    "level", "warn").service(mail().build());
            assertThat(context.logLines(org.slf4j.event.Level.WARN)).extracting(l -> l.message())
                    .containsExactly("Q1 from <carol@elsewhere.example> Subject=\"Hello\" body=\"Hi Al\"");
            assertThatThrownBy(() -> init(new LogMessage(), "LogMessage", "template", "{nope}")).hasMessageContaining("unknown placeholder");
        }
    }

    @Nested
    class Flow {
        @TempDir
        Path root;

        @Test
        void nullEndsAndLogs() throws Exception {
            FakeMail m = mail().build();
            init(new Null(), "Null").service(m);
            assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
            assertThat(context.logLines()).anyMatch(l -> l.message().contains("discarded by Null"));
        }

        @Test
        void toProcessorSetsStateAndNotice() throws Exception {
            FakeMail m = mail().build();
            init(new ToProcessor(), "ToProcessor", "processor", "junk", "notice", "why").service(m);
            assertThat(m.state()).isEqualTo(new ProcessingState("junk"));
            assertThat(m.errorMessage()).contains("why");
        }

        @Test
        void toRepositoryStoresThroughTheRepository() throws Exception {
            java.util.List<Path> stored = new java.util.ArrayList<>();
            FakeMail m = mail().build();
            init(new ToRepository((folder, mail) -> {
                stored.add(folder);
                return folder.resolve("x");
            }, root), "ToRepository", "path", "../var/q").service(m);
            assertThat(stored).containsExactly(root.resolve("../var/q").normalize());
            assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        }

        @Test
        void localDeliveryFilesIntoTheFolder() throws Exception {
            MaildirStore store = new MaildirStore(root, "%d/%n", "mx.example.test");
            FakeMail m = FakeMail.builder().recipients("team@example.test").build();
            init(new LocalDelivery(store, new com.codahale.metrics.MetricRegistry()), "LocalDelivery", "folder", "Junk").service(m);
            assertThat(Files.list(root.resolve("example.test/alice/.Junk/new"))).hasSize(1);
            assertThat(Files.list(root.resolve("example.test/bob/.Junk/new"))).hasSize(1);
            assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        }
    }

    @Test
    void everyStandardComponentDocumentsItself() {
        Map<String, ? extends Class<?>> all = new java.util.TreeMap<>(StandardComponents.MAILETS);
        assertThat(StandardComponents.MAILETS.values()).allMatch(c -> c.isAnnotationPresent(org.postlet.mailet.ComponentDoc.class));
        assertThat(StandardComponents.MATCHERS.values()).allMatch(c -> c.isAnnotationPresent(org.postlet.mailet.ComponentDoc.class));
        assertThat(all).isNotEmpty();
        assertThat(Optional.of(MailetReference.markdown())).get().asString().contains("### LocalDelivery").contains("### RelayLimit");
    }
}
