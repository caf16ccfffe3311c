package org.postlet.queue.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.Disposition;
import org.postlet.queue.Lease;
import org.postlet.queue.LeaseExpiredException;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.Origin;
import org.postlet.queue.QueueIds;
import org.postlet.queue.QueueState;
import org.postlet.queue.QueuedMailSummary;
import org.postlet.testsupport.LocalRabbitMq;
import org.postlet.testsupport.TcpRelay;

/** The RabbitMQ queue against the real broker on 127.0.0.1:5672, each test on queues of its own. */
class RabbitMailQueueIT {

    static final MailAddress ALICE = MailAddress.parse("alice@example.test");
    static final MailAddress BOB = MailAddress.parse("bob@example.test");
    static final MailEnvelope ENVELOPE = new MailEnvelope(Optional.of(MailAddress.parse("a@example.com")), List.of(ALICE, BOB),
            Map.of("BODY", "8BITMIME"), Map.of(ALICE, Map.of("NOTIFY", "SUCCESS,FAILURE")),
            new Origin.SmtpSession("client.example", "127.0.0.1", 40000, Optional.empty(), Optional.empty(), "mx"),
            Instant.parse("2026-11-30T01:00:00Z"));
    static final byte[] BODY = "Subject: x\r\n\r\nline\r\n.leading dot\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path blobs;

    private String name;
    private final List<RabbitMailQueue> opened = new ArrayList<>();

    @BeforeEach
    void broker() {
        LocalRabbitMq.require();
        name = LocalRabbitMq.queueName();
    }

    @AfterEach
    void deleteQueues() throws IOException {
        opened.forEach(RabbitMailQueue::close); // first: a consumer whose queue goes away would declare it again
        try (RabbitMailQueue cleaner = RabbitMailQueue.open(RabbitMqSettings.of(LocalRabbitMq.URI, name, blobs),
                new QueueIds(Clock.systemUTC()), Clock.systemUTC())) {
            cleaner.deleteQueues();
        }
    }

    private RabbitMailQueue open(String uri) throws IOException {
        RabbitMailQueue q = RabbitMailQueue.open(RabbitMqSettings.of(uri, name, blobs), new QueueIds(Clock.systemUTC()),
                Clock.systemUTC());
        opened.add(q);
        return q;
    }

    private RabbitMailQueue open() throws IOException {
        return open(LocalRabbitMq.URI);
    }

    static String enqueue(MailQueue q, byte[] body) throws Exception {
        MailQueue.Enqueuing m = q.enqueue(ENVELOPE, new ProcessingState("transport"), Map.of("origin", "test"));
        m.write(ByteBuffer.wrap(body));
        m.commit().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return m.id();
    }

    static byte[] bytes(Lease lease) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        lease.content().writeTo(out);
        return out.toByteArray();
    }

    @Test
    void aConfirmedMailIsTakenWithItsEnvelopeStateAttributesAndExactBytes() throws Exception {
        RabbitMailQueue q = open();
        String id = enqueue(q, BODY);

        Lease lease = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(lease.id()).isEqualTo(id).hasSize(16).endsWith(q.nodeTag());
        assertThat(lease.envelope()).isEqualTo(ENVELOPE);
        assertThat(lease.state()).isEqualTo(new ProcessingState("transport"));
        assertThat(lease.attributes()).containsEntry("origin", "test");
        assertThat(lease.recipients()).containsExactly(ALICE, BOB);
        assertThat(lease.possibleRedelivery()).isFalse();
        assertThat(lease.content().size()).isEqualTo(BODY.length);
        assertThat(bytes(lease)).isEqualTo(BODY);
        q.acknowledge(lease, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(q.take(Duration.ofMillis(500))).isEmpty();
        assertThat(q.size().mails()).isZero();
    }

    @Test
    void aBodyOverTheInlineLimitTravelsThroughTheSharedFolderAndLeavesItWhenDone() throws Exception {
        RabbitMailQueue q = open();
        byte[] big = new byte[RabbitMqSettings.DEFAULT_INLINE_LIMIT + 12345];
        new Random(7).nextBytes(big);
        MailQueue.Enqueuing m = q.enqueue(ENVELOPE);
        for (int i = 0; i < big.length; i += 10_000) { // the SMTP side writes in pieces
            m.write(ByteBuffer.wrap(big, i, Math.min(10_000, big.length - i)));
        }
        m.commit().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(blobs.resolve("messages").resolve(m.id())).exists().hasSize(big.length);

        Lease lease = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(lease.content().size()).isEqualTo(big.length);
        assertThat(bytes(lease)).isEqualTo(big);
        q.acknowledge(lease, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(blobs.resolve("messages").resolve(m.id())).doesNotExist();
    }

    @Test
    void aMailTakenByANodeThatDiesIsDeliveredToAnotherAsAPossibleRedelivery() throws Exception {
        RabbitMailQueue first = open();
        String id = enqueue(first, BODY);
        Lease taken = first.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(taken.id()).isEqualTo(id);

        RabbitMailQueue second = open();
        assertThat(second.take(Duration.ofMillis(500))).as("leased by the first node").isEmpty();
        first.crash();

        Lease again = second.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.possibleRedelivery()).isTrue();
        assertThat(bytes(again)).isEqualTo(BODY);
        second.acknowledge(again, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(second.take(Duration.ofSeconds(1))).isEmpty();
        assertThat(first.acknowledge(taken, Disposition.done()).toCompletableFuture())
                .failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(LeaseExpiredException.class);
    }

    @Test
    void aReleasedMailComesBackAsAPossibleRedelivery() throws Exception {
        RabbitMailQueue q = open();
        enqueue(q, BODY);
        Lease lease = q.take(Duration.ofSeconds(10)).orElseThrow();
        q.release(lease);
        Lease again = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(again.id()).isEqualTo(lease.id());
        assertThat(again.possibleRedelivery()).isTrue();
        q.acknowledge(again, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRetryComesBackAfterItsDelayForTheRetriedRecipientsOnlyWithItsDeferral() throws Exception {
        RabbitMailQueue q = open();
        String id = enqueue(q, BODY);
        Lease lease = q.take(Duration.ofSeconds(10)).orElseThrow();
        Instant deferredAt = Instant.now();
        q.acknowledge(lease, Disposition.retry(List.of(BOB), Duration.ofSeconds(5), "451 try later"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(q.take(Duration.ofSeconds(2))).as("not before its delay").isEmpty();
        assertThat(q.size().deferred()).isEqualTo(1);
        assertThat(q.browse()).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(QueueState.DEFERRED);
            assertThat(s.recipients()).containsExactly(BOB);
        });
        Lease retry = q.take(Duration.ofSeconds(15)).orElseThrow();
        Duration waited = Duration.between(deferredAt, Instant.now());
        assertThat(waited).isBetween(Duration.ofMillis(4_700), Duration.ofSeconds(12));
        assertThat(retry.id()).isEqualTo(id);
        assertThat(retry.recipients()).containsExactly(BOB);
        assertThat(retry.envelope()).isEqualTo(ENVELOPE);
        assertThat(retry.deferral()).hasValueSatisfying(d -> {
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.reason()).isEqualTo("451 try later");
            assertThat(d.firstFailure()).isBetween(deferredAt.minusSeconds(1), deferredAt.plusSeconds(1));
        });
        assertThat(bytes(retry)).isEqualTo(BODY);

        q.acknowledge(retry, Disposition.retry(List.of(BOB), Duration.ofMillis(100), "again"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        Lease second = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(second.deferral()).hasValueSatisfying(d -> {
            assertThat(d.attempts()).isEqualTo(2);
            assertThat(d.firstFailure()).isEqualTo(retry.deferral().get().firstFailure());
        });
        q.acknowledge(second, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void flushMakesADeferredMailDueNow() throws Exception {
        RabbitMailQueue q = open();
        enqueue(q, BODY);
        Lease lease = q.take(Duration.ofSeconds(10)).orElseThrow();
        q.acknowledge(lease, Disposition.retry(List.of(ALICE), Duration.ofMinutes(30), "later"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(q.take(Duration.ofMillis(500))).isEmpty();

        assertThat(q.flush()).isEqualTo(1);
        Lease now = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(now.recipients()).containsExactly(ALICE);
        assertThat(now.deferral().orElseThrow().attempts()).isEqualTo(1);
        q.acknowledge(now, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void heldMailIsNotTakenUntilReleasedAndRemovedMailNever() throws Exception {
        RabbitMailQueue q = open();
        String a = enqueue(q, BODY);
        String b = enqueue(q, BODY);
        String c = enqueue(q, BODY);
        awaitSize(q, 3); // the broker's delivery to this node's prefetch may be on its way
        assertThat(q.browse()).extracting(QueuedMailSummary::id).containsExactlyInAnyOrder(a, b, c);

        assertThat(q.hold(a)).isTrue();
        assertThat(q.remove(c)).isTrue();
        assertThat(q.hold("0000000000000000")).isFalse();

        Lease lease = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(lease.id()).isEqualTo(b);
        assertThat(q.remove(b)).as("leased right now").isFalse();
        q.acknowledge(lease, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(q.take(Duration.ofSeconds(1))).isEmpty();
        awaitHeld(q, 1);
        assertThat(q.browse()).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(a);
            assertThat(s.state()).isEqualTo(QueueState.HELD);
        });

        assertThat(q.unhold(a)).isTrue();
        assertThat(q.unhold(a)).isFalse();
        Lease released = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(released.id()).isEqualTo(a);
        q.acknowledge(released, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(q.size().mails()).isZero();
    }

    @Test
    void aMailHeldWhileLeasedIsHeldWhenItsRetryComesBack() throws Exception {
        RabbitMailQueue q = open();
        String id = enqueue(q, BODY);
        Lease lease = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(q.hold(id)).isTrue();
        q.acknowledge(lease, Disposition.retry(List.of(ALICE), Duration.ofMillis(10), "x")).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(q.take(Duration.ofSeconds(2))).isEmpty();
        awaitHeld(q, 1);
    }

    private static void awaitSize(RabbitMailQueue q, int mails) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (q.size().mails() != mails && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(q.size().mails()).isEqualTo(mails);
    }

    private static void awaitHeld(RabbitMailQueue q, int held) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (q.size().held() != held && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(q.size().held()).isEqualTo(held);
    }

    @Test
    void aGeneratedMailIsQueuedOnceAcrossNodes() throws Exception {
        RabbitMailQueue first = open();
        RabbitMailQueue second = open();
        String id = QueueIds.derived("bounce of X");
        MailQueue.Enqueuing m = first.enqueueOnce(id, ENVELOPE, ProcessingState.ROOT, Map.of()).orElseThrow();
        m.write(ByteBuffer.wrap(BODY));
        m.commit().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(second.enqueueOnce(id, ENVELOPE, ProcessingState.ROOT, Map.of())).isEmpty();
        assertThat(first.enqueueOnce(id, ENVELOPE, ProcessingState.ROOT, Map.of())).isEmpty();
    }

    @Test
    void whileTheBrokerIsUnreachableCommitsFailAndHealthSaysWhyThenItReconnects() throws Exception {
        try (TcpRelay relay = new TcpRelay(new InetSocketAddress("127.0.0.1", 5672))) {
            RabbitMailQueue q = open("amqp://guest:guest@127.0.0.1:" + relay.port() + "/");
            String before = enqueue(q, BODY);
            Lease taken = q.take(Duration.ofSeconds(10)).orElseThrow();
            assertThat(taken.id()).isEqualTo(before);
            assertThat(q.unavailable()).isEmpty();

            relay.cut();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (q.unavailable().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(q.unavailable()).hasValueSatisfying(why -> assertThat(why).contains("unreachable since"));
            assertThatThrownBy(() -> enqueue(q, BODY)).hasRootCauseInstanceOf(IOException.class)
                    .hasMessageContaining("unreachable");
            assertThat(q.acknowledge(taken, Disposition.done()).toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(LeaseExpiredException.class);

            relay.restore();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (q.unavailable().isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(q.unavailable()).isEmpty();
            String after = enqueue(q, BODY);
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Lease l = q.take(Duration.ofSeconds(10)).orElseThrow();
                seen.add(l.id());
                if (l.id().equals(before)) {
                    assertThat(l.possibleRedelivery()).as("taken before the outage, never acknowledged").isTrue();
                }
                q.acknowledge(l, Disposition.done()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            assertThat(seen).containsExactlyInAnyOrder(before, after);
        }
    }

    @Test
    void aConnectionClosedByTheBrokerIsReopened() throws Exception {
        RabbitMailQueue q = open();
        assertThat(LocalRabbitMq.closeConnections(RabbitMailQueue.connectionName(name, q.nodeTag()))).isEqualTo(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String id = null;
        while (id == null && System.nanoTime() < deadline) {
            try {
                id = enqueue(q, BODY);
            } catch (ExecutionException e) {
                Thread.sleep(100); // until the reconnect
            }
        }
        assertThat(id).isNotNull();
        assertThat(q.take(Duration.ofSeconds(10))).hasValueSatisfying(l -> assertThat(l.id()).isNotNull());
    }

    @Test
    void aMailWhoseBodyThisNodeCannotSeeIsHeldNotProcessed() throws Exception {
        RabbitMailQueue q = open();
        byte[] big = new byte[RabbitMqSettings.DEFAULT_INLINE_LIMIT + 1];
        MailQueue.Enqueuing m = q.enqueue(ENVELOPE);
        m.write(ByteBuffer.wrap(big));
        m.commit().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Files.delete(blobs.resolve("messages").resolve(m.id()));

        assertThat(q.take(Duration.ofSeconds(2))).isEmpty();
        awaitHeld(q, 1);
    }

    @Test
    void aMailTheBrokerRefusesToConfirmIsNotQueued() throws Exception {
        RabbitMailQueue q = open();
        // A policy on this test's queue only: no room, refuse publishes; the broker answers with a negative confirm.
        rabbitmqctl("set_policy", "--apply-to", "queues", "refuse-" + name, "^" + name + "$",
                "{\"max-length\":0,\"overflow\":\"reject-publish\"}");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Throwable refused = null;
            while (refused == null && System.nanoTime() < deadline) {
                try {
                    enqueue(q, BODY); // accepted while the policy is not applied yet; taken below
                    Thread.sleep(100);
                } catch (ExecutionException e) {
                    refused = e.getCause();
                }
            }
            assertThat(refused).isInstanceOf(IOException.class).hasMessageContaining("negative publisher confirm");
        } finally {
            rabbitmqctl("clear_policy", "refuse-" + name);
        }
    }

    private static void rabbitmqctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("rabbitmqctl %s: %s", args, out).isTrue();
    }
}
