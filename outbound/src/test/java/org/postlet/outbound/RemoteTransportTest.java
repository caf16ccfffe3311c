package org.postlet.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.outbound.RecipientResult.Outcome;
import org.postlet.outbound.client.Login;
import org.postlet.outbound.client.OutboundMessage;
import org.postlet.outbound.client.TlsPolicy;
import org.postlet.dns.DnsResolver;
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
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        return new RemoteTransport(new Router(resolver, port, gateway, new Random(1)), new Self("me.test", ownPorts),
                new TransportSettings("me.test", TlsPolicy.MAY, Duration.ofSeconds(10), Duration.ofSeconds(20), 4));
    }

    private RemoteTransport transport(int port, TlsPolicy tls, SSLContext trusted) {
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        TransportSettings settings = new TransportSettings("me.test", tls, Duration.ofSeconds(10), Duration.ofSeconds(20), 4);
        Router router = new Router(resolver, port, Optional.empty(), new Random(1));
        return trusted == null ? new RemoteTransport(router, new Self("me.test", Set.of()), settings)
                : new RemoteTransport(router, new Self("me.test", Set.of()), settings,
                        (SSLSocketFactory) SSLSocketFactory.getDefault(), trusted.getSocketFactory());
    }

    /** A key and self-signed certificate for {@code host}, made with the JDK's keytool. */
    private static KeyStore keystore(Path dir, String host) throws Exception {
        Path file = dir.resolve(host + ".p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "mx", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + host, "-ext", "SAN=dns:" + host,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", "changeit",
                "-keypass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(file)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    private static SSLContext serverContext(KeyStore ks) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static SSLContext trusting(KeyStore ks) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("mx", ks.getCertificate("mx"));
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
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
                "RCPT TO:<bob@remote.test>", "RCPT TO:<carol@remote.test>", "DATA", "RSET");
    }

    /** A message of {@code size} bytes or a little more: the smuggling payload, then filler lines. */
    private static byte[] large(int size) {
        StringBuilder b = new StringBuilder("Subject: big\r\n\r\nbare lf\n.\r\nMAIL FROM:<evil@x.test>\r\n.dot\r\n");
        while (b.length() < size) {
            b.append("0123456789012345678901234567890123456789012345678901234567890123456789\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void withChunkingTheMessageGoesInBdatChunksOfOneMebibyteWithCrlfAndNoDotStuffing() throws Exception {
        remote = FakeSmtpServer.builder().extensions("PIPELINING", "8BITMIME", "CHUNKING").start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();
        byte[] body = large(2_500_000);

        List<RecipientResult> results = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                new OutboundMessage("alice@me.test", List.of("bob@remote.test", "carol@remote.test"), body.length, false,
                        false, out -> out.write(body)));

        assertThat(results).extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED, Outcome.DELIVERED);
        assertThat(remote.messages()).hasSize(1);
        FakeSmtpServer.Message got = remote.messages().get(0);
        assertThat(got.chunked()).isTrue();
        // The bare LF became CRLF; the dot lines go as they are: a count, not a dot, ends the message.
        byte[] expected = new String(body, StandardCharsets.US_ASCII).replace("bare lf\n", "bare lf\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(got.content()).isEqualTo(expected);
        assertThat(got.chunks()).containsExactly(1048576L, 1048576L, (long) expected.length - 2 * 1048576);
        assertThat(remote.commands()).doesNotContain("DATA").containsSubsequence("MAIL FROM:<alice@me.test>",
                "RCPT TO:<bob@remote.test>", "RCPT TO:<carol@remote.test>", "BDAT 1048576", "BDAT 1048576",
                "BDAT " + (expected.length - 2 * 1048576) + " LAST", "RSET");
        assertThat(remote.commands()).noneMatch(c -> c.startsWith("MAIL FROM:<evil"));
    }

    @Test
    void aSmallMessageIsOneLastChunkEndingWithAWholeLine() throws Exception {
        remote = FakeSmtpServer.builder().extensions("PIPELINING", "CHUNKING").start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();

        List<RecipientResult> results = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                new OutboundMessage("alice@me.test", List.of("bob@remote.test"), 20, false, false,
                        out -> out.write("Subject: hi\r\n\r\nno end\r.\r".getBytes(StandardCharsets.US_ASCII))));

        assertThat(results).extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(remote.messages().get(0).text()).isEqualTo("Subject: hi\r\n\r\nno end\r\n.\r\n");
        assertThat(remote.messages().get(0).chunks()).containsExactly(26L);
        assertThat(remote.commands()).contains("BDAT 26 LAST");
    }

    @Test
    void withoutPipeliningEachChunkWaitsAndARefusedChunkStopsTheMessage() throws Exception {
        remote = FakeSmtpServer.builder().extensions("CHUNKING")
                .rcptReply(r -> r.startsWith("nobody@") ? "550 5.1.1 no such user" : "250 2.1.5 ok")
                .chunkReply(size -> "452 4.3.1 out of disk space").start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();
        byte[] body = large(2_500_000);

        List<RecipientResult> results = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                new OutboundMessage("alice@me.test", List.of("bob@remote.test", "nobody@remote.test"), body.length, false,
                        false, out -> out.write(body)));

        assertThat(results).extracting(RecipientResult::outcome).containsExactly(Outcome.DEFERRED, Outcome.FAILED);
        assertThat(results.get(0).diagnostic()).isEqualTo("452 4.3.1 out of disk space");
        assertThat(results.get(1).diagnostic()).isEqualTo("550 5.1.1 no such user");
        assertThat(remote.messages()).isEmpty();
        // The first chunk was refused: no second one, and the transaction ends with RSET.
        assertThat(remote.commands().stream().filter(c -> c.startsWith("BDAT")).toList()).containsExactly("BDAT 1048576");
        assertThat(remote.commands()).endsWith("RSET");
    }

    @Test
    void withChunkingAn8BitMessageIsStillReEncodedForARemoteWithout8bitmime() throws Exception {
        remote = FakeSmtpServer.builder().extensions("PIPELINING", "CHUNKING").start();
        other = FakeSmtpServer.builder().bind("127.0.0.2").port(remote.port()).extensions("PIPELINING", "CHUNKING", "8BITMIME")
                .start();
        dns = ScriptedDns.builder().mx("seven.test", "mx.seven.test", 10).host("mx.seven.test", "127.0.0.1")
                .mx("eight.test", "mx.eight.test", 10).host("mx.eight.test", "127.0.0.2").start();
        byte[] eight = "Subject: 8\r\n\r\nGr\u00fc\u00dfe\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] seven = "Subject: 8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        RemoteTransport transport = transport(remote.port(), Optional.empty(), Set.of());

        transport.deliver("seven.test", new OutboundMessage("alice@me.test", List.of("bob@seven.test"), eight.length, true,
                false, out -> out.write(eight), out -> out.write(seven)));
        transport.deliver("eight.test", new OutboundMessage("alice@me.test", List.of("bob@eight.test"), eight.length, true,
                false, out -> out.write(eight), out -> out.write(seven)));

        assertThat(remote.messages().get(0).content()).isEqualTo(seven);
        assertThat(remote.messages().get(0).mailFrom()).doesNotContain("BODY=8BITMIME");
        assertThat(other.messages().get(0).content()).isEqualTo(eight);
        assertThat(other.messages().get(0).mailFrom()).contains("BODY=8BITMIME");
        assertThat(remote.messages().get(0).chunked()).isTrue();
        assertThat(other.messages().get(0).chunked()).isTrue();
    }

    @Test
    void withChunkingAndNoRecipientAcceptedNothingOfTheMessageIsSent() throws Exception {
        remote = FakeSmtpServer.builder().extensions("PIPELINING", "CHUNKING").rcptReply(r -> "550 5.1.1 no such user")
                .start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();

        List<RecipientResult> results = transport(remote.port(), Optional.empty(), Set.of()).deliver("remote.test",
                message("nobody@remote.test"));

        assertThat(results).extracting(RecipientResult::outcome).containsExactly(Outcome.FAILED);
        assertThat(remote.commands()).noneMatch(c -> c.startsWith("BDAT") || c.equals("DATA"));
    }

    @Test
    void aConnectionCarriesTheNextMessageToTheSameHost() throws Exception {
        remote = FakeSmtpServer.builder().start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();
        RemoteTransport transport = transport(remote.port(), Optional.empty(), Set.of());

        transport.deliver("remote.test", message("bob@remote.test"));
        transport.deliver("remote.test", message("carol@remote.test"));
        transport.close();

        assertThat(remote.awaitMessages(2, Duration.ofSeconds(5))).hasSize(2);
        assertThat(remote.connections()).isEqualTo(1);
        assertThat(remote.commands()).containsSubsequence("DATA", "RSET", "NOOP", "MAIL FROM:<alice@me.test> SIZE="
                + BODY.length(), "DATA", "RSET", "QUIT");
    }

    @Test
    void aParkedConnectionTheRemoteClosedIsReplacedByANewOne() throws Exception {
        remote = FakeSmtpServer.builder().start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();
        RemoteTransport transport = transport(remote.port(), Optional.empty(), Set.of());
        transport.deliver("remote.test", message("bob@remote.test"));
        remote.disconnectAll(); // the remote dropped the idle connection

        assertThat(transport.deliver("remote.test", message("carol@remote.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(remote.connections()).isEqualTo(2);
        assertThat(remote.messages()).hasSize(2);
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
    void starttlsIsUsedWhenOfferedAndRequiredWhenThePolicySays(@TempDir Path tmp) throws Exception {
        KeyStore ks = keystore(tmp, "mx1.remote.test");
        remote = FakeSmtpServer.builder().starttls(serverContext(ks)).start();
        other = FakeSmtpServer.builder().bind("127.0.0.2").port(remote.port()).start(); // no STARTTLS
        dns = ScriptedDns.builder().mx("tls.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1")
                .mx("plain.test", "mx2.remote.test", 10).host("mx2.remote.test", "127.0.0.2").start();

        // may: opportunistic, the self-signed certificate is not checked; plain text where not offered.
        assertThat(transport(remote.port(), TlsPolicy.MAY, null).deliver("tls.test", message("bob@tls.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(remote.messages().get(0).tls()).isTrue();
        assertThat(transport(remote.port(), TlsPolicy.MAY, null).deliver("plain.test", message("bob@plain.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(other.messages().get(0).tls()).isFalse();
        // none: never, even when offered.
        transport(remote.port(), TlsPolicy.NONE, null).deliver("tls.test", message("carol@tls.test"));
        assertThat(remote.messages().get(1).tls()).isFalse();

        // encrypt: a server without STARTTLS gets nothing, the mail waits.
        RecipientResult refused = transport(remote.port(), TlsPolicy.ENCRYPT, null).deliver("plain.test",
                message("dave@plain.test")).get(0);
        assertThat(refused.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(refused.diagnostic()).contains("does not offer STARTTLS");
        assertThat(other.messages()).hasSize(1);

        // verify: the certificate must chain to a trusted one and name the host.
        RecipientResult untrusted = transport(remote.port(), TlsPolicy.VERIFY, null).deliver("tls.test",
                message("erin@tls.test")).get(0);
        assertThat(untrusted.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(transport(remote.port(), TlsPolicy.VERIFY, trusting(ks)).deliver("tls.test", message("erin@tls.test")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(remote.messages()).hasSize(3).allSatisfy(m -> assertThat(m.recipients()).doesNotContain("dave@plain.test"));
    }

    @Test
    void aGatewayLoginGoesOnlyOverTls(@TempDir Path tmp) throws Exception {
        KeyStore ks = keystore(tmp, "smarthost.test");
        remote = FakeSmtpServer.builder().starttls(serverContext(ks)).auth("relayuser", "s3cret").start();
        other = FakeSmtpServer.builder().bind("127.0.0.2").auth("relayuser", "s3cret").start(); // no TLS
        dns = ScriptedDns.builder().start();
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        Login login = new Login("relayuser", "s3cret");

        RemoteTransport viaTls = new RemoteTransport(new Router(resolver, 25, Optional.of(Hop.parse("127.0.0.1:" + remote.port(),
                25)), new Random(1)), new Self("me.test", Set.of()), new TransportSettings("me.test", TlsPolicy.MAY,
                Duration.ofSeconds(3), Duration.ofSeconds(10), 4, Optional.of(login)));
        assertThat(viaTls.deliver("anywhere.example", message("bob@anywhere.example")))
                .extracting(RecipientResult::outcome).containsExactly(Outcome.DELIVERED);
        assertThat(remote.messages().get(0).user()).isEqualTo("relayuser");
        assertThat(remote.messages().get(0).tls()).isTrue();

        RemoteTransport plain = new RemoteTransport(new Router(resolver, 25, Optional.of(Hop.parse("127.0.0.2:" + other.port(),
                25)), new Random(1)), new Self("me.test", Set.of()), new TransportSettings("me.test", TlsPolicy.MAY,
                Duration.ofSeconds(3), Duration.ofSeconds(10), 4, Optional.of(login)));
        RecipientResult refused = plain.deliver("anywhere.example", message("bob@anywhere.example")).get(0);
        assertThat(refused.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(refused.diagnostic()).contains("sent only over TLS");
        assertThat(other.commands()).noneMatch(c -> c.startsWith("AUTH"));

        RemoteTransport wrong = new RemoteTransport(new Router(resolver, 25, Optional.of(Hop.parse("127.0.0.1:" + remote.port(),
                25)), new Random(1)), new Self("me.test", Set.of()), new TransportSettings("me.test", TlsPolicy.MAY,
                Duration.ofSeconds(3), Duration.ofSeconds(10), 4, Optional.of(new Login("relayuser", "wrong"))));
        RecipientResult denied = wrong.deliver("anywhere.example", message("bob@anywhere.example")).get(0);
        assertThat(denied.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(denied.diagnostic()).contains("refused the login of relayuser", "535 5.7.8").doesNotContain("wrong");
    }

    @Test
    void anAddressThatIsNotAsciiNeedsSmtputf8() throws Exception {
        remote = FakeSmtpServer.builder().start();
        other = FakeSmtpServer.builder().bind("127.0.0.2").port(remote.port()).extensions("SMTPUTF8", "8BITMIME").start();
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1")
                .mx("utf8.test", "mx2.utf8.test", 10).host("mx2.utf8.test", "127.0.0.2").start();
        OutboundMessage utf8 = new OutboundMessage("jörg@me.test", List.of("bob@remote.test"), 10, false, true,
                out -> out.write("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8)));
        RemoteTransport transport = transport(remote.port(), Optional.empty(), Set.of());

        RecipientResult r = transport.deliver("remote.test", utf8).get(0);

        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.status()).isEqualTo("5.6.7");
        assertThat(remote.commands()).noneMatch(c -> c.startsWith("MAIL"));
        assertThat(transport.deliver("utf8.test", utf8)).extracting(RecipientResult::outcome)
                .containsExactly(Outcome.DELIVERED);
        assertThat(other.messages().get(0).mailFrom()).isEqualTo("MAIL FROM:<jörg@me.test> SMTPUTF8");
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
