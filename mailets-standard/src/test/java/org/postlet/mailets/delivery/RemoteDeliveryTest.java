package org.postlet.mailets.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.TemporaryFailureException;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.outbound.SentRecipients;
import org.postlet.outbound.SentRecipients.Fate;
import org.postlet.dns.DnsResolver;
import org.postlet.outbound.route.Self;
import org.postlet.outbound.sts.MtaSts;
import org.postlet.outbound.sts.PolicyFetcher;
import org.postlet.outbound.sts.PolicyStore;
import org.postlet.testsupport.dns.ScriptedDns;
import org.postlet.testsupport.smtp.FakeSmtpServer;

/** The mailet against a real SMTP server on loopback, through its {@code gateway} (no DNS needed). */
class RemoteDeliveryTest {

    @TempDir
    Path dir;

    private final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test").build();
    private FakeSmtpServer remote;
    private SentRecipients done;
    private final MetricRegistry metrics = new MetricRegistry();
    private Clock clock = Clock.systemUTC();

    @AfterEach
    void stop() throws IOException {
        if (remote != null) {
            remote.close();
        }
    }

    private RemoteDelivery mailet(FakeSmtpServer server, String... parameters) throws Exception {
        done = new SentRecipients(dir.resolve("done"), Duration.ofDays(6), Clock.systemUTC());
        DnsResolver resolver = new DnsResolver(List.of(), Duration.ofSeconds(1));
        RemoteDelivery mailet = new RemoteDelivery(resolver, mtaSts(resolver), new Self("mx.example.test", Set.of(25)), done,
                metrics, clock, dir);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("RemoteDelivery").context(context)
                .parameter("gateway", "127.0.0.1:" + server.port()).parameter("connectTimeout", "3s");
        for (int i = 0; i < parameters.length; i += 2) {
            config.parameter(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }

    private MtaSts mtaSts(DnsResolver resolver) {
        return new MtaSts(resolver, PolicyFetcher.standard(resolver), new PolicyStore(dir.resolve("mta-sts")), Clock.systemUTC());
    }

    /** The mailet sending to MX hosts, found through {@code dns}, at the port of {@code server}. */
    private RemoteDelivery mxMailet(ScriptedDns dns, FakeSmtpServer server, String... parameters) throws Exception {
        done = new SentRecipients(dir.resolve("done"), Duration.ofDays(6), Clock.systemUTC());
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        RemoteDelivery mailet = new RemoteDelivery(resolver, mtaSts(resolver), new Self("mx.example.test", Set.of(25)), done,
                new MetricRegistry(), Clock.systemUTC(), dir);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("RemoteDelivery").context(context)
                .parameter("port", Integer.toString(server.port())).parameter("connectTimeout", "3s");
        for (int i = 0; i < parameters.length; i += 2) {
            config.parameter(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }

    @Test
    void aDomainListedInTlsPoliciesAsEncryptWaitsForTlsWhileAnotherIsDeliveredInPlain() throws Exception {
        remote = FakeSmtpServer.builder().bind("127.0.0.1").start(); // no STARTTLS
        try (FakeSmtpServer bank = FakeSmtpServer.builder().bind("127.0.0.2").port(remote.port()).start(); // nor here
             ScriptedDns dns = ScriptedDns.builder().mx("bank.test", "mx.bank.test", 10).host("mx.bank.test", "127.0.0.2")
                     .mx("plain.test", "mx.plain.test", 10).host("mx.plain.test", "127.0.0.1").start()) {
            Files.writeString(dir.resolve("tls-policies"), "# TLS per destination\nbank.test encrypt\n.bank.test verify\n");
            FakeMail m = mail("bob@bank.test", "carol@plain.test").build();

            assertThatThrownBy(() -> mxMailet(dns, remote, "tlsPolicies", "tls-policies").service(m))
                    .isInstanceOf(TemporaryFailureException.class).hasMessageContaining("tlsPolicies encrypt: mx.bank.test[127.0.0.2]:"
                            + remote.port() + " does not offer STARTTLS");

            assertThat(remote.messages()).hasSize(1);
            assertThat(remote.messages().get(0).recipients()).containsExactly("carol@plain.test");
            assertThat(remote.messages().get(0).tls()).isFalse();
            assertThat(bank.commands()).noneMatch(c -> c.startsWith("MAIL"));
            assertThat(m.recipients()).containsExactly(new MailAddress("bob", "bank.test"));
            assertThat(context.logLines()).anyMatch(l -> l.message().matches("Q1: to=<bob@bank.test> relay=none delay=[0-9.]+"
                    + " dsn=4\\.7\\.5 status=deferred \\(tlsPolicies encrypt: mx\\.bank\\.test.*"));
        }
    }

    @Test
    void aWrongTlsPoliciesLineOrAnUnusableSettingStopsTheStart() throws Exception {
        remote = FakeSmtpServer.builder().start();
        Files.writeString(dir.resolve("tls-policies"), "bank.test verify\nexample.org strict\n");
        try (ScriptedDns dns = ScriptedDns.builder().start()) {
            assertThatThrownBy(() -> mxMailet(dns, remote, "tlsPolicies", "tls-policies")).isInstanceOf(MailetException.class)
                    .hasMessage("RemoteDelivery parameter 'tlsPolicies': " + dir.resolve("tls-policies") + ":2: 'strict' is"
                            + " not a TLS policy — write none, may, encrypt or verify");
            assertThatThrownBy(() -> mxMailet(dns, remote, "tlsPolicies", "missing")).isInstanceOf(MailetException.class)
                    .hasMessageContaining("cannot read " + dir.resolve("missing"));
            assertThatThrownBy(() -> mxMailet(dns, remote, "mtaSts", "maybe")).isInstanceOf(MailetException.class)
                    .hasMessage("RemoteDelivery parameter 'mtaSts' is 'maybe' — write on or off");
        }
        Files.writeString(dir.resolve("tls-policies"), "bank.test verify\n");
        assertThatThrownBy(() -> mailet(remote, "tlsPolicies", "tls-policies")).isInstanceOf(MailetException.class)
                .hasMessageContaining("with a 'gateway' all mail goes to the gateway");
    }

    private static FakeMail.Builder mail(String... recipients) {
        return FakeMail.builder().name("Q1").sender("alice@example.test").recipients(recipients)
                .message("Subject: hello\r\nMessage-ID: <m1@example.test>\r\n\r\nHi\r\n");
    }

    private static String reportPart(RecordingMailetContext.SentMail dsn, int index) throws Exception {
        MimeMultipart report = (MimeMultipart) dsn.message().getContent();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.getBodyPart(index).getInputStream().transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void deliveredRecipientsEndTheMailAndAreRecorded() throws Exception {
        remote = FakeSmtpServer.builder().start();
        FakeMail m = mail("bob@remote.test", "carol@other.test").build();

        mailet(remote).service(m);

        assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        assertThat(remote.messages()).hasSize(2); // one transaction per domain
        assertThat(remote.messages().get(0).text()).contains("Subject: hello");
        assertThat(done.done("Q1")).isEqualTo(Map.of("bob@remote.test", Fate.SENT, "carol@other.test", Fate.SENT));
        assertThat(context.sentMails()).isEmpty();
        assertThat(context.logLines()).anyMatch(l -> l.message().matches("Q1: to=<bob@remote.test> relay=127.0.0.1\\[127.0.0.1]:"
                + remote.port() + " delay=\\d+\\.\\d dsn=2.0.0 status=sent \\(250 2.0.0 queued as FAKE\\)"));
    }

    @Test
    void theLogLineSaysHowLongSinceTheMailArrived() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> r.startsWith("full") ? "452 4.2.2 mailbox full" : "250 ok").start();
        Instant now = Instant.parse("2026-05-04T10:00:00Z");
        clock = Clock.fixed(now, ZoneOffset.UTC);
        FakeMail m = mail("bob@remote.test", "full@remote.test").arrived(now.minusMillis(3_723_460)).build();

        assertThatThrownBy(() -> mailet(remote).service(m)).isInstanceOf(TemporaryFailureException.class);

        assertThat(context.logLines()).extracting(l -> l.message()).contains(
                "Q1: to=<bob@remote.test> relay=127.0.0.1[127.0.0.1]:" + remote.port()
                        + " delay=3723.5 dsn=2.0.0 status=sent (250 2.0.0 queued as FAKE)",
                "Q1: to=<full@remote.test> relay=127.0.0.1[127.0.0.1]:" + remote.port()
                        + " delay=3723.5 dsn=4.2.2 status=deferred (452 4.2.2 mailbox full)");
    }

    @Test
    void outcomesAreCountedByDestinationDomain() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 no such user"
                : r.startsWith("full") ? "452 4.2.2 mailbox full" : "250 ok").start();
        FakeMail m = mail("bob@Remote.Test", "nobody@remote.test", "carol@remote.test", "full@other.test").build();

        assertThatThrownBy(() -> mailet(remote).service(m)).isInstanceOf(TemporaryFailureException.class);

        assertThat(metrics.meter("remote.delivered").getCount()).isEqualTo(2);
        assertThat(metrics.meter("remote.failed").getCount()).isEqualTo(1);
        assertThat(metrics.meter("remote.deferred").getCount()).isEqualTo(1);
        assertThat(metrics.getMeters().entrySet().stream().filter(e -> e.getKey().startsWith("remote.domain."))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getCount()))).isEqualTo(Map.of(
                "remote.domain.remote_test.delivered", 2L, "remote.domain.remote_test.failed", 1L,
                "remote.domain.remote_test.deferred", 0L, "remote.domain.other_test.delivered", 0L,
                "remote.domain.other_test.failed", 0L, "remote.domain.other_test.deferred", 1L));
    }

    @Test
    void onlyTheFirstHundredDomainsGetCountersOfTheirOwn() throws Exception {
        remote = FakeSmtpServer.builder().start();
        String[] recipients = new String[DestinationMeters.MAX_DOMAINS + 2];
        for (int i = 0; i < recipients.length; i++) {
            recipients[i] = "u@d" + i + ".test";
        }
        FakeMail m = mail(recipients).build();

        mailet(remote).service(m);

        assertThat(remote.messages()).hasSize(recipients.length);
        assertThat(metrics.meter("remote.domain.d0_test.delivered").getCount()).isEqualTo(1);
        assertThat(metrics.meter("remote.domain.d99_test.delivered").getCount()).isEqualTo(1);
        assertThat(metrics.meter("remote.domain.other.delivered").getCount()).isEqualTo(2);
        assertThat(metrics.getNames()).doesNotContain("remote.domain.d100_test.delivered", "remote.domain.d101_test.delivered");
        assertThat(metrics.getNames().stream().filter(n -> n.startsWith("remote.domain.") && n.endsWith(".delivered")))
                .hasSize(DestinationMeters.MAX_DOMAINS + 1);
    }

    @Test
    void aPermanentFailureSendsTheSenderAnRfc3464ReportWithTheRemotesReply() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 <" + r + ">: no such user"
                : "250 ok").start();
        FakeMail m = mail("bob@remote.test", "nobody@remote.test").build();

        mailet(remote).service(m);

        assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        assertThat(remote.messages().get(0).recipients()).containsExactly("bob@remote.test");
        assertThat(context.sentMails()).hasSize(1);
        RecordingMailetContext.SentMail dsn = context.sentMails().get(0);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.recipients()).containsExactly(new MailAddress("alice", "example.test"));
        assertThat(dsn.message().getContentType()).contains("multipart/report").contains("report-type=delivery-status");
        assertThat(reportPart(dsn, 0)).contains("nobody@remote.test").doesNotContain("bob@");
        assertThat(reportPart(dsn, 1)).contains("Final-Recipient: rfc822; nobody@remote.test", "Action: failed",
                "Status: 5.1.1", "Remote-MTA: dns; 127.0.0.1",
                "Diagnostic-Code: smtp; 550 5.1.1 <nobody@remote.test>: no such user");
        assertThat(m.attribute(RemoteDelivery.SMTP_CODE)).contains(550);
        assertThat(m.attribute(RemoteDelivery.PERMANENT)).contains(true);
        assertThat(done.done("Q1")).containsEntry("nobody@remote.test", Fate.REPORTED);
    }

    @Test
    void aTemporaryFailureDefersOnlyThatRecipient() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> r.startsWith("full") ? "452 4.2.2 mailbox full" : "250 ok").start();
        FakeMail m = mail("bob@remote.test", "full@remote.test").build();

        assertThatThrownBy(() -> mailet(remote).service(m)).isInstanceOf(TemporaryFailureException.class)
                .hasMessageContaining("452 4.2.2 mailbox full");

        assertThat(m.recipients()).containsExactly(new MailAddress("full", "remote.test"));
        assertThat(m.attribute(RemoteDelivery.PERMANENT)).contains(false);
        assertThat(context.sentMails()).isEmpty();
    }

    @Test
    void onTheLastAttemptATemporaryFailureIsReportedInsteadOfDeferred() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> "452 4.2.2 mailbox full").start();
        FakeMail m = mail("full@remote.test").lastAttempt().build();

        mailet(remote).service(m);

        assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        RecordingMailetContext.SentMail dsn = context.sentMails().get(0);
        assertThat(reportPart(dsn, 0)).contains("gave up");
        assertThat(reportPart(dsn, 1)).contains("Action: failed", "Status: 4.2.2", "Diagnostic-Code: smtp; 452 4.2.2 mailbox full");
    }

    @Test
    void aRecipientDeliveredBeforeACrashIsNotSentAgain() throws Exception {
        remote = FakeSmtpServer.builder().start();
        RemoteDelivery mailet = mailet(remote);
        done.record("Q1", Fate.SENT, List.of("bob@remote.test"));
        FakeMail m = mail("bob@remote.test", "carol@remote.test").possiblyRedelivered().build();

        mailet.service(m);

        assertThat(remote.messages()).hasSize(1);
        assertThat(remote.messages().get(0).recipients()).containsExactly("carol@remote.test");
        assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
    }

    @Test
    void aBounceThatFailsIsNeverReportedToTheNullSender() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> "550 5.1.1 no such user").start();
        FakeMail m = FakeMail.builder().name("Q2").nullSender().recipients("nobody@remote.test").build();

        mailet(remote).service(m);

        assertThat(context.sentMails()).isEmpty();
        assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        assertThat(remote.commands()).contains("MAIL FROM:<> SIZE=" + m.size());
    }

    @Test
    void aBounceProcessorGetsTheFailedRecipientsGroupedByReplyWithAttributesForTheMatchers() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 no such user"
                : r.startsWith("big") ? "552 5.2.2 over quota" : "452 4.2.2 mailbox full").start();
        FakeMail m = mail("nobody@remote.test", "big@remote.test", "full@remote.test", "none@remote.test").lastAttempt()
                .build();

        mailet(remote, "bounceProcessor", "remote-failure").service(m);

        assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        List<RecordingMailetContext.SentMail> handed = context.sentMails();
        assertThat(handed).hasSize(3).allSatisfy(h -> {
            assertThat(h.state()).isEqualTo(new ProcessingState("remote-failure"));
            assertThat(h.sender()).contains(new MailAddress("alice", "example.test"));
            assertThat(h.subject()).contains("hello");
        });
        assertThat(handed.get(0).recipients()).containsExactly(new MailAddress("nobody", "remote.test"));
        assertThat(handed.get(0).attributes()).containsEntry(RemoteDelivery.SMTP_CODE, 550)
                .containsEntry(RemoteDelivery.PERMANENT, true);
        assertThat(handed.get(2).recipients()).containsExactly(new MailAddress("full", "remote.test"),
                new MailAddress("none", "remote.test"));
        assertThat(handed.get(2).attributes()).containsEntry(RemoteDelivery.SMTP_CODE, 452)
                .containsEntry(RemoteDelivery.PERMANENT, false);
        assertThat((String) handed.get(2).attributes().get(RemoteDelivery.ERROR)).contains("gave up");
    }

    private static final String EIGHT_BIT = "Subject: gruss\r\nMIME-Version: 1.0\r\nMessage-ID: <8@example.test>\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n";

    @Test
    void anEightBitMessageIsSentAsItIsWhereTheRemoteTakesIt() throws Exception {
        remote = FakeSmtpServer.builder().start(); // offers 8BITMIME
        FakeMail m = mail("bob@remote.test").message(EIGHT_BIT.getBytes(StandardCharsets.UTF_8)).build();

        mailet(remote).service(m);

        FakeSmtpServer.Message got = remote.messages().get(0);
        assertThat(got.mailFrom()).endsWith(" BODY=8BITMIME");
        assertThat(got.text()).contains("Grüße aus Köln", "Content-Transfer-Encoding: 8bit");
    }

    @Test
    void anEightBitMessageIsReEncodedForARemoteWithout8bitmime() throws Exception {
        remote = FakeSmtpServer.builder().extensions("PIPELINING", "SIZE 1000000").start();
        FakeMail m = mail("bob@remote.test").message(EIGHT_BIT.getBytes(StandardCharsets.UTF_8)).build();

        mailet(remote).service(m);

        FakeSmtpServer.Message got = remote.messages().get(0);
        assertThat(got.mailFrom()).doesNotContain("BODY=");
        assertThat(new String(got.content(), StandardCharsets.ISO_8859_1)).matches("\\p{ASCII}*");
        assertThat(got.text()).contains("Content-Transfer-Encoding: quoted-printable", "Gr=C3=BC=C3=9Fe aus K=C3=B6ln",
                "Message-ID: <8@example.test>");
        assertThat(m.messageAsString()).contains("Grüße"); // the mail itself is unchanged
    }

    @Test
    void theSendersDsnRequestIsPassedOnToARemoteThatOffersDsn() throws Exception {
        remote = FakeSmtpServer.builder().extensions("PIPELINING", "DSN").start();
        FakeMail m = mail("bob@remote.test").mailParameter("RET", "HDRS").mailParameter("ENVID", "env+2B1")
                .recipientParameter("bob@remote.test", "NOTIFY", "SUCCESS,FAILURE")
                .recipientParameter("bob@remote.test", "ORCPT", "rfc822;bob@remote.test").build();

        mailet(remote).service(m);

        assertThat(remote.commands()).contains("MAIL FROM:<alice@example.test> RET=HDRS ENVID=env+2B1",
                "RCPT TO:<bob@remote.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@remote.test");
        assertThat(context.sentMails()).isEmpty(); // the remote reports success itself
    }

    @Test
    void notifySuccessToARemoteWithoutDsnGivesARelayedNotice() throws Exception {
        remote = FakeSmtpServer.builder().extensions("PIPELINING").start();
        FakeMail m = mail("bob@remote.test").recipientParameter("bob@remote.test", "NOTIFY", "SUCCESS").build();

        mailet(remote).service(m);

        assertThat(remote.commands()).contains("RCPT TO:<bob@remote.test>"); // no DSN parameters where not offered
        RecordingMailetContext.SentMail notice = context.sentMails().get(0);
        assertThat(notice.subject()).contains("Successful Mail Delivery Report");
        assertThat(reportPart(notice, 1)).contains("Action: relayed", "Final-Recipient: rfc822; bob@remote.test");
    }

    @Test
    void notifyAndRetShapeTheFailureReport() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> "550 5.1.1 no such user").start();
        FakeMail m = mail("quiet@remote.test", "loud@remote.test").mailParameter("RET", "HDRS").mailParameter("ENVID", "abc")
                .recipientParameter("quiet@remote.test", "NOTIFY", "NEVER")
                .recipientParameter("loud@remote.test", "ORCPT", "rfc822;Loud+2Bx@remote.test").build();

        mailet(remote).service(m);

        RecordingMailetContext.SentMail dsn = context.sentMails().get(0);
        assertThat(reportPart(dsn, 1)).contains("Original-Envelope-Id: abc", "Original-Recipient: rfc822; Loud+x@remote.test",
                "Final-Recipient: rfc822; loud@remote.test").doesNotContain("quiet@");
        MimeMultipart report = (MimeMultipart) dsn.message().getContent();
        assertThat(report.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
        assertThat(done.done("Q1")).containsEntry("quiet@remote.test", Fate.REPORTED);
    }

    @Test
    void aRecipientStillFailingAfterDelayNoticeIsReportedAsDelayedOnce() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> "452 4.2.2 mailbox full").start();
        RemoteDelivery mailet = mailet(remote, "delayNotice", "1h");
        Instant since = Instant.now().minus(Duration.ofHours(2));

        assertThatThrownBy(() -> mailet.service(mail("full@remote.test").failingSince(since).possiblyRedelivered().build()))
                .isInstanceOf(TemporaryFailureException.class);
        assertThatThrownBy(() -> mailet.service(mail("full@remote.test").failingSince(since).possiblyRedelivered().build()))
                .isInstanceOf(TemporaryFailureException.class);

        assertThat(context.sentMails()).hasSize(1);
        RecordingMailetContext.SentMail notice = context.sentMails().get(0);
        assertThat(notice.subject()).contains("Delayed Mail (still being retried)");
        assertThat(reportPart(notice, 1)).contains("Action: delayed", "Status: 4.2.2", "Diagnostic-Code: smtp; 452 4.2.2 mailbox full");
        assertThat(done.done("Q1")).containsEntry("full@remote.test", Fate.DELAYED);
    }

    @Test
    void noDelayNoticeBeforeItsTimeOrWithoutTheParameter() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> "452 4.2.2 mailbox full").start();
        Instant since = Instant.now().minus(Duration.ofMinutes(10));

        assertThatThrownBy(() -> mailet(remote, "delayNotice", "1h").service(mail("full@remote.test").failingSince(since).build()))
                .isInstanceOf(TemporaryFailureException.class);
        assertThatThrownBy(() -> mailet(remote).service(mail("full@remote.test").failingSince(Instant.EPOCH).build()))
                .isInstanceOf(TemporaryFailureException.class);

        assertThat(context.sentMails()).isEmpty();
    }

    @Test
    void gatewayCredentialsComeFromAFileAndNeedTls() throws Exception {
        remote = FakeSmtpServer.builder().auth("relay", "pw").start(); // no STARTTLS
        Files.writeString(dir.resolve("gateway.credentials"), "# the provider's relay\nrelay:pw\n");

        FakeMail m = mail("bob@remote.test").build();
        assertThatThrownBy(() -> mailet(remote, "gatewayCredentials", "gateway.credentials").service(m))
                .isInstanceOf(TemporaryFailureException.class).hasMessageContaining("only over TLS");
        assertThat(remote.commands()).noneMatch(c -> c.startsWith("AUTH"));

        assertThatThrownBy(() -> mailet(remote, "gatewayCredentials", "gateway.credentials", "tls", "none"))
                .isInstanceOf(MailetException.class).hasMessageContaining("needs a 'gateway' and TLS");
        assertThatThrownBy(() -> mailet(remote, "gatewayCredentials", "missing.credentials"))
                .isInstanceOf(MailetException.class).hasMessageContaining("cannot read");
    }
}
