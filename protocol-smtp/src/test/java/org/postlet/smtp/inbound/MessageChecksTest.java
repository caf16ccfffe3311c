package org.postlet.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.policy.MessageCheck;
import org.postlet.smtp.policy.Verdict;

/** The end-of-DATA checks: what they see, who decides, and what running out of time answers. */
class MessageChecksTest {

    private final List<String> events = new ArrayList<>();

    private final InboundQueue queue = envelope -> new IncomingMessage() {
        @Override
        public String id() {
            return "Q1";
        }

        @Override
        public void write(ByteBuffer bytes) {
            bytes.position(bytes.limit());
            events.add("write");
        }

        @Override
        public CompletionStage<Void> commit() {
            events.add("commit");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void abort() {
            events.add("abort");
        }
    };

    @Test
    void aCheckSeesTheWholeMessageAndTheFirstRefusalDecides() throws Exception {
        List<String> seen = new ArrayList<>();
        MessageCheck accept = (e, m) -> {
            seen.add(new String(m, StandardCharsets.US_ASCII));
            return CompletableFuture.completedFuture(Verdict.accept());
        };
        MessageCheck reject = (e, m) -> CompletableFuture.completedFuture(Verdict.reject(550, "5.7.1", "no"));
        MessageCheck never = (e, m) -> {
            throw new AssertionError("not asked after a refusal");
        };

        Throwable failure = deliver(new MessageChecks(queue, List.of(accept, reject, never), Duration.ofSeconds(5)));

        assertThat(seen).containsExactly("Subject: x\r\n\r\nbody\r\n");
        assertThat(failure).isInstanceOf(MessageRefusedException.class);
        assertThat(((MessageRefusedException) failure).verdict().code()).isEqualTo(550);
        assertThat(events).containsExactly("write", "write", "abort");
    }

    @Test
    void runningOutOfTimeDefersAndAcceptedMailIsCommitted() throws Exception {
        MessageCheck slow = (e, m) -> new CompletableFuture<>();
        Throwable failure = deliver(new MessageChecks(queue, List.of(slow), Duration.ofMillis(200)));
        Verdict v = ((MessageRefusedException) failure).verdict();
        assertThat(v.code() + " " + v.enhancedCode()).isEqualTo("451 4.7.0");

        events.clear();
        MessageCheck accept = (e, m) -> CompletableFuture.completedFuture(Verdict.accept());
        assertThat(deliver(new MessageChecks(queue, List.of(accept), Duration.ofSeconds(5)))).isNull();
        assertThat(events).containsExactly("write", "write", "commit");
    }

    private static Throwable deliver(InboundQueue checks) throws Exception {
        Envelope envelope = new Envelope(Optional.of(MailAddress.parse("a@example.org")), List.of(MailAddress.parse("b@example.test")),
                Map.of(), Map.of(), "client.example", new InetSocketAddress("192.0.2.1", 1), Optional.empty(), Optional.empty(),
                "mx", Instant.EPOCH);
        IncomingMessage m = checks.open(envelope);
        m.write(ByteBuffer.wrap("Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        m.write(ByteBuffer.wrap("body\r\n".getBytes(StandardCharsets.US_ASCII)));
        try {
            m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
