package org.postlet.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postlet.outbound.RecipientResult.Outcome;
import org.postlet.outbound.client.OutboundMessage;
import org.postlet.outbound.client.TlsPolicy;
import org.postlet.outbound.dns.DnsResolver;
import org.postlet.outbound.route.Hop;
import org.postlet.outbound.route.Router;
import org.postlet.outbound.route.Self;
import org.postlet.testsupport.dns.ScriptedDns;
import org.postlet.testsupport.smtp.FakeSmtpServer;
import org.postlet.testsupport.smtp.FakeSmtpServer.Failure;

/** Real DNS (dnsmasq) and real SMTP servers on loopback addresses. */
class RemoteTransportTest {

    private static final String BODY = "Subject: hi\r\n\r\n.leading dot\r\nbare\nlf\r\n";

    private ScriptedDns dns;
    private FakeSmtpServer remote;
    private FakeSmtpServer other;

    @AfterEach
    void stop() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {dns, remote, other}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    private RemoteTransport transport(int port, Optional<Hop> gateway, Set<Integer> ownPorts) {
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(3));
        return new RemoteTransport(new Router(resolver, port, gateway, new Random(1)), new Self("me.test", ownPorts),
                new TransportSettings("me.test", TlsPolicy.MAY, Duration.ofSeconds(3), Duration.ofSeconds(10), 4));
    }

    private static OutboundMessage message(String... recipients) {
        return new OutboundMessage("alice@me.test", List.of(recipients), BODY.length(), false, false,
                out -> out.write(BODY.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void deliversToTheBestMxWithCorrectWireFormat() throws Exception {
        remote = FakeSmtpServer.builder().start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();

        List<RecipientResult> results = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                message("bob@remote.test", "carol@remote.test"));

        assertThat(results).extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED, Outcome.DELIVERED);
        assertThat(results.get(0).remoteMta()).contains("mx1.remote.test[127.0.0.1]:" + remote.port());
        FakeSmtpServer.Message got = remote.messages().get(0);
        assertThat(got.helo()).isEqualTo("me.test");
        assertThat(got.sender()).isEqualTo("alice@me.test");
        assertThat(got.mailFrom()).contains("SIZE=");
        assertThat(got.recipients()).containsExactly("bob@remote.test", "carol@remote.test");
        assertThat(new String(got.wire(), StandardCharsets.UTF_8))
                .isEqualTo("Subject: hi\r\n\r\n..leading dot\r\nbare\r\nlf\r\n.\r\n");
        // PIPELINING: one round trip for MAIL, RCPTs and DATA, all recorded in order.
        assertThat(remote.commands()).containsSubsequence("MAIL FROM:<alice@me.test> SIZE=" + BODY.length(),
                "RCPT TO:<bob@remote.test>", "RCPT TO:<carol@remote.test>", "DATA", "QUIT");
    }

    @Test
    void theNextMxIsTriedWhenTheFirstRefusesTheConnectionOrAnswers4xx() throws Exception {
        remote = FakeSmtpServer.builder().bind("127.0.0.1").start();
        other = FakeSmtpServer.builder().bind("127.0.0.2").port(remote.port()).failure(Failure.GREETING_421).start();
        // mx1 at 127.0.0.3: nothing listens there. mx2 answers 421. mx3 takes the mail.
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 5).mx("remote.test", "mx2.remote.test", 10)
                .mx("remote.test", "mx3.remote.test", 20).host("mx1.remote.test", "127.0.0.3")
                .host("mx2.remote.test", "127.0.0.2").host("mx3.remote.test", "127.0.0.1").start();

        List<RecipientResult> results = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                message("bob@remote.test"));

        assertThat(results).extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(other.connections()).isEqualTo(1);
        assertThat(remote.messages()).hasSize(1);
    }

    @Test
    void everyHostFailingTemporarilyDefersWithTheLastError() throws Exception {
        remote = FakeSmtpServer.builder().failure(Failure.GREETING_421).start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();

        List<RecipientResult> results = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                message("bob@remote.test"));

        assertThat(results.get(0).outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(results.get(0).diagnostic()).contains("421 4.3.2 busy");
    }

    @Test
    void withoutMxTheDomainsOwnAddressIsUsed() throws Exception {
        remote = FakeSmtpServer.builder().start();
        dns = ScriptedDns.builder().host("plain.test", "127.0.0.1").start();

        assertThat(transport(remote.port(), Optional.empty(), Set.of()).deliver("plain.test", message("bob@plain.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
    }

    @Test
    void aNullMxOrAMissingDomainFailsAtOnceWithoutConnecting() throws Exception {
        remote = FakeSmtpServer.builder().start();
        dns = ScriptedDns.builder().nullMx("nomail.test").host("nomail.test", "127.0.0.1").start();
        RemoteTransport transport = transport(remote.port(), Optional.empty(), Set.of());

        RecipientResult nullMx = transport.deliver("nomail.test", message("bob@nomail.test")).get(0);
        RecipientResult missing = transport.deliver("missing.test", message("bob@missing.test")).get(0);

        assertThat(nullMx.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(nullMx.status()).isEqualTo("5.1.10");
        assertThat(missing.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(missing.status()).isEqualTo("5.1.2");
        assertThat(remote.connections()).isZero();
    }

    @Test
    void anMxThatIsThisServerIsALoopNotADelivery() throws Exception {
        remote = FakeSmtpServer.builder().start();
        dns = ScriptedDns.builder().mx("loop.test", "me.test", 10).host("me.test", "127.0.0.1").start();

        RecipientResult r = transport(remote.port(), Optional.empty(), Set.of(remote.port()))
                .deliver("loop.test", message("bob@loop.test")).get(0);

        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.status()).isEqualTo("5.4.6");
        assertThat(remote.connections()).isZero();
    }

    @Test
    void eachRecipientGetsItsOwnReply() throws Exception {
        remote = FakeSmtpServer.builder().rcptReply(r -> r.startsWith("full") ? "452 4.2.2 mailbox full"
                : r.startsWith("nobody") ? "550 5.1.1 no such user" : "250 2.1.5 ok").start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();

        List<RecipientResult> results = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                message("bob@remote.test", "full@remote.test", "nobody@remote.test"));

        assertThat(results).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED, Outcome.DEFERRED, Outcome.FAILED);
        assertThat(results.get(2).status()).isEqualTo("5.1.1");
        assertThat(results.get(2).diagnostic()).isEqualTo("550 5.1.1 no such user");
        assertThat(remote.messages().get(0).recipients()).containsExactly("bob@remote.test");
    }

    @Test
    void aMessageLargerThanTheRemoteTakesFailsWithoutSendingIt() throws Exception {
        remote = FakeSmtpServer.builder().extensions("SIZE 10").start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();

        RecipientResult r = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                message("bob@remote.test")).get(0);

        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.status()).isEqualTo("5.3.4");
        assertThat(remote.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void withoutEhloHeloIsUsedAndCommandsGoOneByOne() throws Exception {
        remote = FakeSmtpServer.builder().failure(Failure.NO_EHLO).start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();

        assertThat(transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test", message("bob@remote.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(remote.messages().get(0).mailFrom()).isEqualTo("MAIL FROM:<alice@me.test>");
    }

    @Test
    void aGatewayTakesEverythingWithoutAnyMxLookup() throws Exception {
        remote = FakeSmtpServer.builder().start();
        dns = ScriptedDns.builder().start();

        List<RecipientResult> results = transport(25, Optional.of(Hop.parse("127.0.0.1:" + remote.port(), 25)), Set.of())
                .deliver("anywhere.example", message("bob@anywhere.example"));

        assertThat(results).extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
    }

    @Test
    void aConnectionLostAfterTheDataIsDeferred() throws Exception {
        remote = FakeSmtpServer.builder().failure(Failure.DROP_AFTER_DATA).start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();

        RecipientResult r = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                message("bob@remote.test")).get(0);

        assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.diagnostic()).contains("closed the connection");
    }
}
