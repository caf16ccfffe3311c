package org.postlet.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.outbound.RecipientResult.Outcome;
import org.postlet.outbound.client.OutboundMessage;
import org.postlet.outbound.client.TlsPolicy;
import org.postlet.dns.DnsResolver;
import org.postlet.outbound.policy.TlsRules;
import org.postlet.outbound.policy.TlsTable;
import org.postlet.outbound.route.Router;
import org.postlet.outbound.route.Self;
import org.postlet.outbound.sts.MtaSts;
import org.postlet.outbound.sts.PolicyFetcher;
import org.postlet.outbound.sts.PolicyServer;
import org.postlet.outbound.sts.PolicyServer.Answer;
import org.postlet.outbound.sts.PolicyStore;
import org.postlet.outbound.sts.TestCa;
import org.postlet.testsupport.TrustingTls;
import org.postlet.testsupport.dns.ScriptedDns;
import org.postlet.testsupport.smtp.FakeSmtpServer;
import org.slf4j.LoggerFactory;

/**
 * MTA-STS end to end: a policy served over real HTTPS by a test CA's certificate, TXT and MX records
 * from a real DNS server (dnsmasq), real SMTP servers on loopback, the cache on disk.
 */
class MtaStsDeliveryTest {

    private static final String BODY = "Subject: hi\r\n\r\nhello\r\n";

    @TempDir
    Path dir;

    private TestCa ca;
    private PolicyServer https;
    private FakeSmtpServer tlsMx;      // mx1.remote.test, 127.0.0.1, STARTTLS with a certificate for its name
    private FakeSmtpServer plainMx;    // mx2.remote.test, 127.0.0.2, no STARTTLS
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        ca = new TestCa();
        https = new PolicyServer(ca.server("mta-sts.remote.test"), Answer.policy(policy("enforce", "mx1.remote.test")));
        tlsMx = FakeSmtpServer.builder().bind("127.0.0.1").starttls(ca.server("mx1.remote.test")).start();
        plainMx = FakeSmtpServer.builder().bind("127.0.0.2").port(tlsMx.port()).start();
        closing.addAll(List.of(https, tlsMx, plainMx));
        log.start();
        for (Class<?> c : List.of(RemoteTransport.class, MtaSts.class)) {
            ((Logger) LoggerFactory.getLogger(c)).addAppender(log);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Class<?> c : List.of(RemoteTransport.class, MtaSts.class)) {
            ((Logger) LoggerFactory.getLogger(c)).detachAppender(log);
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private static String policy(String mode, String... mx) {
        StringBuilder p = new StringBuilder("version: STSv1\r\nmode: " + mode + "\r\n");
        for (String m : mx) {
            p.append("mx: ").append(m).append("\r\n");
        }
        return p.append("max_age: 86400\r\n").toString();
    }

    /** DNS for remote.test: its MX {@code mx}, the policy host, and the TXT record when {@code id} is given. */
    private ScriptedDns dns(String mx, String id) throws Exception {
        ScriptedDns.Builder b = ScriptedDns.builder().mx("remote.test", mx, 10).host("mx1.remote.test", "127.0.0.1")
                .host("mx2.remote.test", "127.0.0.2").host("mta-sts.remote.test", "127.0.0.1");
        if (id != null) {
            b.txt("_mta-sts.remote.test", "v=STSv1; id=" + id);
        }
        ScriptedDns dns = b.start();
        closing.add(dns);
        return dns;
    }

    /** A transport as a (re)started server makes it: a new MTA-STS lookup over the same cache folder. */
    private RemoteTransport transport(ScriptedDns dns) throws Exception {
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        SSLContext trusted = ca.client();
        MtaSts mtaSts = new MtaSts(resolver, new PolicyFetcher(resolver, https.port(), trusted.getSocketFactory(),
                Duration.ofSeconds(10)), new PolicyStore(dir.resolve("mta-sts")), Clock.systemUTC());
        RemoteTransport transport = new RemoteTransport(new Router(resolver, tlsMx.port(), Optional.empty(), new Random(1)),
                new Self("me.test", Set.of()), new TransportSettings("me.test", TlsPolicy.MAY, Duration.ofSeconds(10),
                Duration.ofSeconds(20), 4), TrustingTls.client().getSocketFactory(), trusted.getSocketFactory(),
                new TlsRules(TlsTable.EMPTY, Optional.of(mtaSts)));
        closing.add(transport);
        return transport;
    }

    private static OutboundMessage message(String recipient) {
        return new OutboundMessage("alice@me.test", List.of(recipient), BODY.length(), false, false,
                out -> out.write(BODY.getBytes(StandardCharsets.UTF_8)));
    }

    private List<String> warnings() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void enforceDeliversOverVerifiedTlsToAMatchingMx() throws Exception {
        RecipientResult r = transport(dns("mx1.remote.test", "1")).deliver("remote.test", message("bob@remote.test")).get(0);

        assertThat(r.outcome()).as(r.diagnostic()).isEqualTo(Outcome.DELIVERED);
        assertThat(tlsMx.messages().get(0).tls()).isTrue();
        assertThat(https.requests()).containsExactly("/.well-known/mta-sts.txt Host=mta-sts.remote.test");
        assertThat(Files.readString(dir.resolve("mta-sts/remote.test"))).startsWith("id: 1\nfetched: ")
                .contains("mode: enforce");
    }

    @Test
    void aConnectionParkedWithUncheckedTlsIsNotReusedForAnEnforcedDomain() throws Exception {
        // other.test has no policy and the same MX: its opportunistic TLS connection is parked for 5 s.
        ScriptedDns dns = ScriptedDns.builder().mx("other.test", "mx1.remote.test", 10).mx("remote.test", "mx1.remote.test", 10)
                .host("mx1.remote.test", "127.0.0.1").host("mta-sts.remote.test", "127.0.0.1")
                .txt("_mta-sts.remote.test", "v=STSv1; id=1").start();
        closing.add(dns);
        RemoteTransport transport = transport(dns);

        assertThat(transport.deliver("other.test", message("bob@other.test"))).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED);
        assertThat(transport.deliver("remote.test", message("bob@remote.test"))).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED);
        assertThat(transport.deliver("remote.test", message("carol@remote.test"))).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED);

        // One connection for other.test, one (verified, then reused) for remote.test.
        assertThat(tlsMx.connections()).isEqualTo(2);
    }

    @Test
    void enforceSendsNothingToAnMxThePolicyDoesNotName() throws Exception {
        RecipientResult r = transport(dns("mx2.remote.test", "1")).deliver("remote.test", message("bob@remote.test")).get(0);

        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.status()).isEqualTo("4.7.5");
        assertThat(r.diagnostic()).isEqualTo("MTA-STS policy of remote.test (enforce, id 1) allows only the MX hosts"
                + " [mx1.remote.test], not [mx2.remote.test]");
        assertThat(plainMx.connections()).isZero();
    }

    @Test
    void enforceDefersAtAnMxWithoutStarttlsOrWithACertificateForAnotherName() throws Exception {
        https.answer(Answer.policy(policy("enforce", "*.remote.test")));
        RecipientResult noTls = transport(dns("mx2.remote.test", "1")).deliver("remote.test", message("bob@remote.test"))
                .get(0);

        assertThat(noTls.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(noTls.diagnostic()).startsWith("MTA-STS policy of remote.test (enforce, id 1): ")
                .contains("does not offer STARTTLS");
        assertThat(plainMx.messages()).isEmpty();
        assertThat(plainMx.commands()).noneMatch(c -> c.startsWith("MAIL"));

        FakeSmtpServer wrongName = FakeSmtpServer.builder().bind("127.0.0.3").port(tlsMx.port())
                .starttls(ca.server("other.test")).start();
        closing.add(wrongName);
        ScriptedDns dns = ScriptedDns.builder().mx("remote.test", "mx3.remote.test", 10).host("mx3.remote.test", "127.0.0.3")
                .host("mta-sts.remote.test", "127.0.0.1").txt("_mta-sts.remote.test", "v=STSv1; id=1").start();
        closing.add(dns);
        RecipientResult badCert = transport(dns).deliver("remote.test", message("bob@remote.test")).get(0);

        assertThat(badCert.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(badCert.diagnostic()).startsWith("MTA-STS policy of remote.test (enforce, id 1): connection to"
                + " mx3.remote.test[127.0.0.3]");
        assertThat(wrongName.messages()).isEmpty();
    }

    @Test
    void enforceDefersRatherThanBouncesWhenAnMxRefusesStarttlsWith5xx() throws Exception {
        https.answer(Answer.policy(policy("enforce", "*.remote.test")));
        FakeSmtpServer refusing = FakeSmtpServer.builder().bind("127.0.0.3").port(tlsMx.port())
                .extensions("PIPELINING", "STARTTLS").start(); // offers STARTTLS, answers it 502
        closing.add(refusing);
        ScriptedDns dns = ScriptedDns.builder().mx("remote.test", "mx3.remote.test", 10).host("mx3.remote.test", "127.0.0.3")
                .host("mta-sts.remote.test", "127.0.0.1").txt("_mta-sts.remote.test", "v=STSv1; id=1").start();
        closing.add(dns);

        RecipientResult r = transport(dns).deliver("remote.test", message("bob@remote.test")).get(0);

        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.status()).isEqualTo("4.7.5");
        assertThat(r.diagnostic()).startsWith("MTA-STS policy of remote.test (enforce, id 1): ").contains("refused STARTTLS");
        assertThat(refusing.commands()).contains("STARTTLS").noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void testingDeliversAsBeforeAndWarnsWhatWouldHaveFailed() throws Exception {
        https.answer(Answer.policy(policy("testing", "mx1.remote.test")));
        RecipientResult r = transport(dns("mx2.remote.test", "1")).deliver("remote.test", message("bob@remote.test")).get(0);

        assertThat(r.outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(plainMx.messages()).hasSize(1);
        assertThat(warnings()).contains("MTA-STS policy of remote.test (testing, id 1) allows only the MX hosts"
                + " [mx1.remote.test], not [mx2.remote.test]; in mode enforce mail to them would wait. Delivering as"
                + " without the policy");
    }

    @Test
    void testingWarnsOfAMissingStarttlsAndStillDelivers() throws Exception {
        https.answer(Answer.policy(policy("testing", "*.remote.test")));
        RemoteTransport transport = transport(dns("mx2.remote.test", "1"));

        assertThat(transport.deliver("remote.test", message("bob@remote.test"))).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED);
        assertThat(transport.deliver("remote.test", message("carol@remote.test"))).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED);

        assertThat(plainMx.messages()).hasSize(2).noneMatch(FakeSmtpServer.Message::tls);
        // Checked and reported once, not for every message.
        assertThat(warnings()).filteredOn(w -> w.contains("does not offer STARTTLS")).hasSize(1).first().asString()
                .startsWith("MTA-STS policy of remote.test (testing, id 1): in mode enforce mail would wait: ");
    }

    @Test
    void aCachedPolicyOutlivesItsTxtRecordTheHttpsServerAndARestart() throws Exception {
        assertThat(transport(dns("mx1.remote.test", "1")).deliver("remote.test", message("bob@remote.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);

        // An attacker removes the TXT record and points the MX elsewhere; the server restarted meanwhile.
        RecipientResult noTxt = transport(dns("mx2.remote.test", null)).deliver("remote.test", message("bob@remote.test"))
                .get(0);
        assertThat(noTxt.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(noTxt.diagnostic()).contains("allows only the MX hosts [mx1.remote.test]");

        // A new id, but the policy host cannot be reached: the cached policy still applies.
        https.close();
        RecipientResult noHttps = transport(dns("mx2.remote.test", "2")).deliver("remote.test", message("bob@remote.test"))
                .get(0);
        assertThat(noHttps.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(noHttps.diagnostic()).contains("(enforce, id 1) allows only the MX hosts [mx1.remote.test]");
        assertThat(warnings()).anyMatch(w -> w.startsWith("MTA-STS policy of remote.test (id 2) cannot be fetched: ")
                && w.endsWith("the cached policy (id 1, mode enforce) applies until "
                + w.substring(w.lastIndexOf(' ') + 1)));
        assertThat(plainMx.connections()).isZero();
    }

    @Test
    void aNewIdFetchesThePolicyAgainTheSameIdDoesNot() throws Exception {
        transport(dns("mx2.remote.test", "1")).deliver("remote.test", message("bob@remote.test"));
        ScriptedDns sameId = dns("mx2.remote.test", "1");
        assertThat(transport(sameId).deliver("remote.test", message("bob@remote.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DEFERRED);
        assertThat(https.requests()).hasSize(1);

        https.answer(Answer.policy(policy("none")));
        assertThat(transport(dns("mx2.remote.test", "2")).deliver("remote.test", message("bob@remote.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(https.requests()).hasSize(2);
        assertThat(Files.readString(dir.resolve("mta-sts/remote.test"))).startsWith("id: 2\n").contains("mode: none");
    }

    @Test
    void aMalformedOrUnservedPolicyIsNoPolicy() throws Exception {
        https.answer(Answer.policy("version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\n")); // no mx
        assertThat(transport(dns("mx2.remote.test", "1")).deliver("remote.test", message("bob@remote.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(warnings()).contains("MTA-STS policy of remote.test (id 1) is malformed, ignored: it has mode enforce"
                + " but no mx line; no policy applies");
        assertThat(Files.exists(dir.resolve("mta-sts/remote.test"))).isFalse();

        https.answer(new Answer(301, "text/plain", ""));
        assertThat(transport(dns("mx2.remote.test", "2")).deliver("remote.test", message("carol@remote.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(warnings()).anyMatch(w -> w.contains("answered 301") && w.contains("redirects are not followed"));
        assertThat(plainMx.messages()).hasSize(2);
    }

    @Test
    void mtaStsDoesNotApplyToAGatewayNorWhenTheTableListsTheDomain() throws Exception {
        ScriptedDns dns = dns("mx2.remote.test", "1");
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        MtaSts mtaSts = new MtaSts(resolver, new PolicyFetcher(resolver, https.port(), ca.client().getSocketFactory(),
                Duration.ofSeconds(10)), new PolicyStore(dir.resolve("mta-sts")), Clock.systemUTC());
        RemoteTransport listed = new RemoteTransport(new Router(resolver, tlsMx.port(), Optional.empty(), new Random(1)),
                new Self("me.test", Set.of()), new TransportSettings("me.test", TlsPolicy.MAY, Duration.ofSeconds(10),
                Duration.ofSeconds(20), 4), TrustingTls.client().getSocketFactory(), ca.client().getSocketFactory(),
                new TlsRules(TlsTable.parse("t", List.of("remote.test may")), Optional.of(mtaSts)));
        closing.add(listed);

        assertThat(listed.deliver("remote.test", message("bob@remote.test"))).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED);
        assertThat(https.requests()).isEmpty();

        RemoteTransport gateway = new RemoteTransport(new Router(resolver, 25, Optional.of(
                org.postlet.outbound.route.Hop.parse("127.0.0.2:" + plainMx.port(), 25)), new Random(1)),
                new Self("me.test", Set.of()), new TransportSettings("me.test", TlsPolicy.MAY, Duration.ofSeconds(10),
                Duration.ofSeconds(20), 4), TrustingTls.client().getSocketFactory(), ca.client().getSocketFactory(),
                new TlsRules(TlsTable.EMPTY, Optional.of(mtaSts)));
        closing.add(gateway);
        assertThat(gateway.deliver("remote.test", message("carol@remote.test"))).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED);
        assertThat(https.requests()).isEmpty();
        assertThat(plainMx.messages()).hasSize(2);
    }
}
