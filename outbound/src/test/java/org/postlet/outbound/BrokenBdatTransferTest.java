package org.postlet.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.dns.DnsResolver;
import org.postlet.outbound.RecipientResult.Outcome;
import org.postlet.outbound.client.OutboundMessage;
import org.postlet.outbound.client.TlsPolicy;
import org.postlet.outbound.route.Router;
import org.postlet.outbound.route.Self;
import org.postlet.testsupport.dns.ScriptedDns;
import org.postlet.testsupport.smtp.FakeSmtpServer;
import org.postlet.testsupport.smtp.FakeSmtpServer.Failure;

/**
 * A message sent in BDAT chunks (RFC 3030) that the remote breaks off in the middle: it closes the
 * connection or refuses a chunk. Each case with and without PIPELINING (with it, the client sends every
 * chunk before it reads a reply). Whatever happens, no recipient counts as delivered, the outcome
 * says why, and the delivery ends well within the client's 20 s reply timeout.
 */
class BrokenBdatTransferTest {

    /** Three chunks: two full (1 MiB) and a last one. */
    private static final byte[] BODY = body(2_500_000);
    private static final List<String> RECIPIENTS = List.of("bob@remote.test", "carol@remote.test");
    private static final Duration BOUND = Duration.ofSeconds(10);

    private ScriptedDns dns;
    private FakeSmtpServer remote;

    @AfterEach
    void stop() throws Exception {
        if (remote != null) {
            remote.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private static byte[] body(int size) {
        StringBuilder b = new StringBuilder("Subject: big\r\n\r\n");
        while (b.length() < size) {
            b.append("0123456789012345678901234567890123456789012345678901234567890123456789\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String[] extensions(boolean pipelining) {
        return pipelining ? new String[] {"PIPELINING", "ENHANCEDSTATUSCODES", "CHUNKING"}
                : new String[] {"ENHANCEDSTATUSCODES", "CHUNKING"};
    }

    /** The second chunk gets {@code refusal}, the others 250. */
    private static FakeSmtpServer.Builder refusingTheSecondChunk(boolean pipelining, String refusal) {
        AtomicInteger chunks = new AtomicInteger();
        return FakeSmtpServer.builder().extensions(extensions(pipelining))
                .chunkReply(size -> chunks.incrementAndGet() == 2 ? refusal : "250 2.0.0 " + size + " octets received");
    }

    /** Delivers the three-chunk message to {@link #remote}, failing the test if it takes longer than {@link #BOUND}. */
    private List<RecipientResult> deliver() throws Exception {
        return deliver(BODY);
    }

    private List<RecipientResult> deliver(byte[] body) throws Exception {
        dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10).host("mx1.remote.test", "127.0.0.1").start();
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        RemoteTransport transport = new RemoteTransport(new Router(resolver, remote.port(), Optional.empty(), new Random(1)),
                new Self("me.test", Set.of()), new TransportSettings("me.test", TlsPolicy.MAY, Duration.ofSeconds(10),
                Duration.ofSeconds(20), 4));
        OutboundMessage message = new OutboundMessage("alice@me.test", RECIPIENTS, body.length, false, false,
                out -> out.write(body));
        try (transport) {
            List<RecipientResult> results = assertTimeoutPreemptively(BOUND, () -> transport.deliver("remote.test", message),
                    "a remote that broke off the transfer must not hold the delivery");
            assertThat(results).extracting(RecipientResult::recipient).containsExactlyElementsOf(RECIPIENTS);
            assertThat(results).noneMatch(r -> r.outcome() == Outcome.DELIVERED);
            assertThat(remote.messages()).isEmpty();
            assertThat(remote.commands()).anyMatch(c -> c.startsWith("BDAT ")).doesNotContain("DATA");
            return results;
        }
    }

    @ParameterizedTest(name = "pipelining {0}")
    @ValueSource(booleans = {true, false})
    void aConnectionClosedBeforeTheLastChunksReplyDefers(boolean pipelining) throws Exception {
        // Reads every chunk, answers all but the last, then closes: the client cannot know the outcome.
        remote = FakeSmtpServer.builder().extensions(extensions(pipelining)).failure(Failure.DROP_AFTER_DATA).start();

        List<RecipientResult> results = deliver();

        assertThat(results).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(r.diagnostic()).contains("mx1.remote.test[127.0.0.1]", "closed the connection");
        });
        assertThat(remote.commands()).contains("BDAT " + (BODY.length - 2 * 1048576) + " LAST");
    }

    @ParameterizedTest(name = "pipelining {0}")
    @ValueSource(booleans = {true, false})
    void aConnectionClosedInTheMiddleOfAChunkDefers(boolean pipelining) throws Exception {
        remote = FakeSmtpServer.builder().extensions(extensions(pipelining)).failure(Failure.DROP_IN_CHUNK).start();

        List<RecipientResult> results = deliver();

        // Cut off while sending: the write or the next read fails (which one, and its words, depend on timing).
        assertThat(results).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(r.diagnostic()).startsWith("connection to mx1.remote.test[127.0.0.1]:" + remote.port() + " failed: ");
        });
    }

    @ParameterizedTest(name = "pipelining {0}")
    @ValueSource(booleans = {true, false})
    void a451ToAMiddleChunkDefersWithThatReply(boolean pipelining) throws Exception {
        remote = refusingTheSecondChunk(pipelining, "451 4.3.0 temporary trouble, try later").start();

        List<RecipientResult> results = deliver();

        assertThat(results).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(r.diagnostic()).isEqualTo("451 4.3.0 temporary trouble, try later");
            assertThat(r.status()).isEqualTo("4.3.0");
        });
        // Without PIPELINING nothing follows the refused chunk (RFC 3030 §2); with it the last was already sent.
        List<String> commands = remote.commands();
        assertThat(commands.stream().filter(c -> c.startsWith("BDAT ")).count()).isEqualTo(pipelining ? 3 : 2);
        // The connection outlives the refusal: the transaction ends with RSET, ready for the next message.
        int lastChunk = IntStream.range(0, commands.size()).filter(i -> commands.get(i).startsWith("BDAT ")).max()
                .orElseThrow();
        assertThat(commands.get(lastChunk + 1)).isEqualTo("RSET");
    }

    @ParameterizedTest(name = "pipelining {0}")
    @ValueSource(booleans = {true, false})
    void a552ToAChunkFailsForGood(boolean pipelining) throws Exception {
        remote = refusingTheSecondChunk(pipelining, "552 5.3.4 message too big for system").start();

        List<RecipientResult> results = deliver();

        assertThat(results).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.diagnostic()).isEqualTo("552 5.3.4 message too big for system");
            assertThat(r.status()).isEqualTo("5.3.4");
        });
    }

    @ParameterizedTest(name = "refusal {0}")
    @ValueSource(strings = {"451 4.3.0 temporary trouble, try later", "552 5.3.4 message too big for system"})
    void aRefusedChunkDecidesEvenWhenTheRemoteThenClosesBeforeTheLastReply(String refusal) throws Exception {
        // With PIPELINING the client reads the replies after sending every chunk: 250, the refusal, then the end.
        remote = refusingTheSecondChunk(true, refusal).failure(Failure.DROP_AFTER_DATA).start();

        List<RecipientResult> results = deliver();

        assertThat(results).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(refusal.startsWith("4") ? Outcome.DEFERRED : Outcome.FAILED);
            assertThat(r.diagnostic()).isEqualTo(refusal);
        });
    }

    @ParameterizedTest(name = "refusal {0}")
    @ValueSource(strings = {"451 4.3.0 temporary trouble, try later", "552 5.3.4 message too big for system"})
    void aRefusalThatBreaksTheClientsWritesStillDecides(String refusal) throws Exception {
        // The remote refuses the second of 16 chunks and closes at once: with PIPELINING the client is still
        // sending (far more than the sockets' buffers hold), so its write fails before it reads a reply.
        remote = refusingTheSecondChunk(true, refusal).failure(Failure.CLOSE_AFTER_REFUSED_CHUNK).start();

        List<RecipientResult> results = deliver(body(16 * 1048576));

        assertThat(results).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(refusal.startsWith("4") ? Outcome.DEFERRED : Outcome.FAILED);
            assertThat(r.diagnostic()).isEqualTo(refusal);
        });
        assertThat(remote.commands().stream().filter(c -> c.startsWith("BDAT ")).count()).isEqualTo(2);
    }
}
