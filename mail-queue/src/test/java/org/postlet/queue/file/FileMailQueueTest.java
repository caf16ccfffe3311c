package org.postlet.queue.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.internet.SharedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
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

class FileMailQueueTest {

    @TempDir
    Path dir;

    private final List<FileMailQueue> opened = new ArrayList<>();

    static final MailAddress ALICE = MailAddress.parse("alice@example.test");
    static final MailAddress ODD = MailAddress.parse("\"odd: name\"@example.test");
    static final MailEnvelope ENVELOPE = new MailEnvelope(Optional.of(MailAddress.parse("a@example.com")), List.of(ALICE, ODD),
            Map.of("BODY", "8BITMIME", "SMTPUTF8", ""),
            Map.of(ALICE, Map.of("NOTIFY", "SUCCESS,FAILURE", "ORCPT", "rfc822;alice@example.test")),
            new Origin.SmtpSession("client.example\u00e9", "127.0.0.1", 40000, Optional.of("alice@example.test"),
                    Optional.of("TLSv1.3 TLS_AES_128_GCM_SHA256"), "mx"),
            Instant.parse("2026-11-30T01:00:00Z"));
    static final byte[] BODY = "Subject: x\r\n\r\nline\r\n.leading dot\r\n".getBytes(StandardCharsets.US_ASCII);

    @AfterEach
    void closeAll() {
        opened.forEach(FileMailQueue::close);
    }

    private FileMailQueue queue() throws IOException {
        return queue(new FileMailQueue.Settings(64L * 1024 * 1024, 1024 * 1024, 64L * 1024 * 1024, 0));
    }

    private FileMailQueue queue(FileMailQueue.Settings settings) throws IOException {
        FileMailQueue q = FileMailQueue.open(dir, new QueueIds(Clock.systemUTC()), Clock.systemUTC(), settings);
        opened.add(q);
        return q;
    }

    static String enqueue(MailQueue q, byte[] body) throws Exception {
        MailQueue.Enqueuing m = q.enqueue(ENVELOPE);
        m.write(ByteBuffer.wrap(body));
        m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return m.id();
    }

    static byte[] read(Lease lease) throws IOException {
        try (InputStream in = lease.content().open()) {
            return in.readAllBytes();
        }
    }

    private Lease take(MailQueue q) throws InterruptedException {
        return q.take(Duration.ofSeconds(3)).orElseThrow(() -> new AssertionError("nothing to take"));
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("log"))) {
            return files.sorted().toList();
        }
    }

    @Test
    void aCommittedMailIsTakenWithItsEnvelopeAndExactBytes() throws Exception {
        FileMailQueue q = queue();
        MailQueue.Enqueuing m = q.enqueue(ENVELOPE, new ProcessingState("transport"), Map.of("count", 3));
        m.write(ByteBuffer.wrap(BODY));
        assertThat(q.take(Duration.ofMillis(10))).as("not offered before its commit").isEmpty();
        m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);

        Lease lease = take(q);
        assertThat(lease.id()).isEqualTo(m.id());
        assertThat(lease.envelope()).isEqualTo(ENVELOPE);
        assertThat(lease.state()).isEqualTo(new ProcessingState("transport"));
        assertThat(lease.attributes()).isEqualTo(Map.of("count", 3));
        assertThat(lease.recipients()).containsExactly(ALICE, ODD);
        assertThat(lease.possibleRedelivery()).isFalse();
        assertThat(lease.deferral()).isEmpty();
        assertThat(lease.content().size()).isEqualTo(BODY.length);
        assertThat(read(lease)).isEqualTo(BODY);
        try (InputStream in = lease.content().open()) {
            assertThat(in).isInstanceOf(SharedInputStream.class);
        }
        assertThat(q.size().mails()).isEqualTo(1);
        assertThat(q.size().oldest()).contains(ENVELOPE.receivedAt());
        q.acknowledge(lease, Disposition.done()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(q.size().mails()).isZero();
        assertThat(q.take(Duration.ofMillis(10))).isEmpty();
    }

    @Test
    void anAbortedMailLeavesNothing() throws Exception {
        FileMailQueue q = queue();
        MailQueue.Enqueuing m = q.enqueue(ENVELOPE);
        m.write(ByteBuffer.wrap(new byte[100]));
        m.abort();
        assertThat(q.take(Duration.ofMillis(10))).isEmpty();
        q.close();
        assertThat(queue().take(Duration.ofMillis(10))).isEmpty();
    }

    @Test
    void aMailTakenButNotAcknowledgedBeforeACrashComesBackAsAPossibleRedelivery() throws Exception {
        FileMailQueue first = queue();
        String id = enqueue(first, BODY);
        MailQueue.Enqueuing partial = first.enqueue(ENVELOPE);
        partial.write(ByteBuffer.wrap("half".getBytes(StandardCharsets.US_ASCII)));
        Lease lease = take(first);
        assertThat(lease.id()).isEqualTo(id);
        first.close(); // the process dies: no DONE, no commit of the partial one

        FileMailQueue second = queue();
        Lease again = take(second);
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.possibleRedelivery()).isTrue();
        assertThat(again.envelope()).isEqualTo(ENVELOPE);
        assertThat(read(again)).as("read back from the segment").isEqualTo(BODY);
        assertThat(second.take(Duration.ofMillis(10))).as("the uncommitted one is not there").isEmpty();
        assertThatThrownBy(() -> first.acknowledge(lease, Disposition.done()).toCompletableFuture().get())
                .hasCauseInstanceOf(LeaseExpiredException.class);
    }

    @Test
    void aReleasedMailIsTakenAgainAsAPossibleRedelivery() throws Exception {
        FileMailQueue q = queue();
        String id = enqueue(q, BODY);
        Lease lease = take(q);
        q.release(lease);
        Lease again = take(q);
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.possibleRedelivery()).isTrue();
        assertThat(q.acknowledge(lease, Disposition.done())).as("the released lease is over")
                .isCompletedExceptionally();
        q.acknowledge(again, Disposition.done()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(q.acknowledge(again, Disposition.done()).toCompletableFuture())
                .failsWithin(Duration.ofSeconds(1)).withThrowableThat().withCauseInstanceOf(LeaseExpiredException.class);
    }

    @Test
    void newMailIsRefusedWhenTheDiskIsNearlyFull() throws Exception {
        FileMailQueue q = queue(new FileMailQueue.Settings(1 << 20, 1 << 20, 1 << 20, Long.MAX_VALUE / 4));
        assertThatThrownBy(() -> q.enqueue(ENVELOPE)).isInstanceOf(IOException.class).hasMessageContaining("free");
        assertThat(q.hasRoomFor(1000)).isFalse();
        assertThat(queueWithRoom().hasRoomFor(1000)).isTrue();
    }

    private FileMailQueue queueWithRoom() throws IOException {
        opened.forEach(FileMailQueue::close);
        return queue();
    }

    @Test
    void aQueueOpenInOneServerCannotBeOpenedByAnother() throws Exception {
        FileMailQueue first = queue();
        assertThatThrownBy(this::queue).isInstanceOf(QueueInUseException.class)
                .hasMessage("spool " + dir + " is in use by another Postlet (pid " + ProcessHandle.current().pid()
                        + "); stop it or give this one its own spool");
        first.close();
        queue().close(); // released at close
    }

    @Test
    void aTornTailIsCutOffAndTheMailsBeforeItStay() throws Exception {
        FileMailQueue first = queue();
        String a = enqueue(first, BODY);
        String b = enqueue(first, BODY);
        first.close();
        Path segment = segments().get(segments().size() - 1);
        long size = Files.size(segment);
        byte[] whole = Files.readAllBytes(segment);
        // the start of a third record: an append the crash interrupted
        Files.write(segment, java.util.Arrays.copyOf(whole, whole.length / 2 - 10), java.nio.file.StandardOpenOption.APPEND);

        FileMailQueue second = queue();
        assertThat(List.of(take(second).id(), take(second).id())).containsExactly(a, b);
        assertThat(second.take(Duration.ofMillis(10))).isEmpty();
        assertThat(Files.size(segment)).isEqualTo(size);
        assertThat(dir.resolve("damaged")).doesNotExist();
    }

    @Test
    void aDamagedRecordInTheMiddleIsQuarantinedAndNeverDelivered() throws Exception {
        FileMailQueue first = queue();
        String a = enqueue(first, BODY);
        String b = enqueue(first, "Subject: b\r\n\r\nthe damaged one\r\n".getBytes(StandardCharsets.US_ASCII));
        String c = enqueue(first, BODY);
        first.close();
        Path segment = segments().get(segments().size() - 1);
        byte[] bytes = Files.readAllBytes(segment);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("the damaged one");
        bytes[at] ^= 1; // a block the disk damaged
        Files.write(segment, bytes);

        FileMailQueue second = queue();
        assertThat(List.of(take(second).id(), take(second).id())).containsExactly(a, c);
        assertThat(second.take(Duration.ofMillis(10))).isEmpty();
        assertThat(second.find(b)).isEmpty();
        try (Stream<Path> damaged = Files.list(dir.resolve("damaged"))) {
            List<Path> files = damaged.toList();
            assertThat(files).hasSize(1);
            assertThat(new String(Files.readAllBytes(files.get(0)), StandardCharsets.ISO_8859_1)).contains("uhe damaged one");
        }
    }

    @Test
    void aDamagedRecordJustBeforeATornTailIsQuarantinedAndTheTailCutOff() throws Exception {
        FileMailQueue first = queue();
        String good = enqueue(first, BODY);
        enqueue(first, "Subject: f\r\n\r\nbody of flipped\r\n".getBytes(StandardCharsets.US_ASCII));
        enqueue(first, BODY);
        first.close();
        Path segment = segments().get(segments().size() - 1);
        byte[] bytes = Files.readAllBytes(segment);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("body of flipped");
        bytes[at] ^= 0x20;
        Files.write(segment, java.util.Arrays.copyOf(bytes, bytes.length - 40));

        FileMailQueue second = queue();
        assertThat(take(second).id()).isEqualTo(good);
        assertThat(second.take(Duration.ofMillis(10))).isEmpty();
        try (Stream<Path> damaged = Files.list(dir.resolve("damaged"))) {
            List<Path> files = damaged.toList();
            assertThat(files).hasSize(1);
            assertThat(new String(Files.readAllBytes(files.get(0)), StandardCharsets.ISO_8859_1)).contains("Body of flipped");
        }
        assertThat(Files.size(segment)).as("the torn tail is cut off").isLessThan(bytes.length - 40);
    }

    @Test
    void aDeferredMailKeepsItsDeferralAndRecipientsAcrossARestart() throws Exception {
        FileMailQueue first = queue();
        String id = enqueue(first, BODY);
        Lease lease = take(first);
        first.acknowledge(lease, Disposition.retry(List.of(ODD), Duration.ofHours(1), "451 try later"))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(first.take(Duration.ofMillis(10))).isEmpty();
        QueuedMailSummary deferred = first.find(id).orElseThrow();
        assertThat(deferred.state()).isEqualTo(QueueState.DEFERRED);
        assertThat(deferred.recipients()).containsExactly(ODD);
        assertThat(deferred.deferral().orElseThrow().attempts()).isEqualTo(1);
        first.close();

        FileMailQueue second = queue();
        assertThat(second.take(Duration.ofMillis(10))).as("still deferred").isEmpty();
        QueuedMailSummary after = second.find(id).orElseThrow();
        assertThat(after.state()).isEqualTo(QueueState.DEFERRED);
        assertThat(after.recipients()).containsExactly(ODD);
        assertThat(after.deferral()).isEqualTo(deferred.deferral());
        assertThat(second.flush()).isEqualTo(1);
        Lease again = take(second);
        assertThat(again.recipients()).containsExactly(ODD);
        assertThat(again.deferral().orElseThrow().reason()).isEqualTo("451 try later");
        assertThat(again.possibleRedelivery()).isTrue();
        assertThat(read(again)).isEqualTo(BODY);
        second.acknowledge(again, Disposition.retry(List.of(ODD), Duration.ofHours(2), "452 full"))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(second.find(id).orElseThrow().deferral().orElseThrow().attempts()).isEqualTo(2);
        assertThat(second.find(id).orElseThrow().deferral().orElseThrow().firstFailure())
                .isEqualTo(deferred.deferral().orElseThrow().firstFailure());
    }

    @Test
    void aDeferredMailComesBackWhenItsDelayIsOver() throws Exception {
        FileMailQueue q = queue();
        String id = enqueue(q, BODY);
        q.acknowledge(take(q), Disposition.retry(List.of(ALICE), Duration.ofMillis(50), "421 busy"))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        Lease again = take(q);
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.recipients()).containsExactly(ALICE);
        assertThat(again.deferral().orElseThrow().attempts()).isEqualTo(1);
        assertThat(again.possibleRedelivery()).isFalse();
    }

    @Test
    void aClockSetBackDoesNotStretchADelayAtRuntimeNorAcrossARestart() throws Exception {
        Instant aYearAhead = Instant.now().plus(Duration.ofDays(365));
        MutableClock clock = new MutableClock(aYearAhead);
        FileMailQueue.Settings settings = new FileMailQueue.Settings(1 << 20, 1 << 20, 1 << 20, 0);
        FileMailQueue first = FileMailQueue.open(dir, new QueueIds(Clock.systemUTC()), clock, settings);
        opened.add(first);
        String running = enqueue(first, BODY);
        String restarted = enqueue(first, BODY);
        for (int i = 0; i < 2; i++) {
            first.acknowledge(take(first), Disposition.retry(List.of(ALICE), i == 0 ? Duration.ofMillis(200) : Duration.ofHours(1),
                    "later")).toCompletableFuture().get();
        }
        clock.now = Instant.now(); // an operator fixes the clock
        Lease due = take(first);
        assertThat(due.id()).as("due after its 200 ms, not in a year").isEqualTo(running);
        first.acknowledge(due, Disposition.done()).toCompletableFuture().get();
        first.close();

        FileMailQueue second = FileMailQueue.open(dir, new QueueIds(Clock.systemUTC()), Clock.systemUTC(), settings);
        opened.add(second);
        assertThat(second.take(Duration.ofMillis(1500)).map(Lease::id)).as("the mail deferred for an hour").isEmpty();
        assertThat(second.find(restarted).orElseThrow().state()).isEqualTo(QueueState.DEFERRED);
        second.close();
        MutableClock later = new MutableClock(aYearAhead.plus(Duration.ofHours(2))); // past its next attempt
        FileMailQueue third = FileMailQueue.open(dir, new QueueIds(Clock.systemUTC()), later, settings);
        opened.add(third);
        assertThat(take(third).id()).as("due by the clock").isEqualTo(restarted);
    }

    /** A clock the test sets. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void aHeldMailIsNeverTakenAndStaysHeldAcrossARestart() throws Exception {
        FileMailQueue first = queue();
        String id = enqueue(first, BODY);
        assertThat(first.hold(id)).isTrue();
        assertThat(first.take(Duration.ofMillis(50))).isEmpty();
        assertThat(first.find(id).orElseThrow().state()).isEqualTo(QueueState.HELD);
        assertThat(first.hold("nosuchid")).isFalse();
        first.close();

        FileMailQueue second = queue();
        assertThat(second.take(Duration.ofMillis(50))).isEmpty();
        assertThat(second.find(id).orElseThrow().state()).isEqualTo(QueueState.HELD);
        assertThat(second.unhold(id)).isTrue();
        assertThat(second.unhold(id)).as("no longer held").isFalse();
        assertThat(take(second).id()).isEqualTo(id);
        second.close();

        FileMailQueue third = queue();
        assertThat(take(third).id()).as("the release survives too").isEqualTo(id);
    }

    @Test
    void aMailHeldWhileLeasedIsHeldWhenTheLeaseEnds() throws Exception {
        FileMailQueue q = queue();
        String id = enqueue(q, BODY);
        Lease lease = take(q);
        assertThat(q.hold(id)).isTrue();
        q.release(lease);
        assertThat(q.take(Duration.ofMillis(50))).isEmpty();
        assertThat(q.find(id).orElseThrow().state()).isEqualTo(QueueState.HELD);
    }

    @Test
    void aRemovedMailIsNeverDelivered() throws Exception {
        FileMailQueue first = queue();
        String id = enqueue(first, BODY);
        String leased = enqueue(first, BODY);
        assertThat(first.remove(id)).isTrue();
        Lease lease = take(first);
        assertThat(lease.id()).isEqualTo(leased);
        assertThat(first.remove(leased)).as("being processed").isFalse();
        assertThat(first.remove("nosuchid")).isFalse();
        first.close();

        FileMailQueue second = queue();
        assertThat(take(second).id()).isEqualTo(leased);
        assertThat(second.take(Duration.ofMillis(10))).isEmpty();
    }

    @Test
    void anAcknowledgementNobodyWaitedForIsDurableOnceTheQueueIsClosed() throws Exception {
        FileMailQueue first = queue();
        enqueue(first, BODY);
        CompletableFuture<Void> ack = first.acknowledge(take(first), Disposition.done()).toCompletableFuture();
        first.close();
        assertThat(ack).isCompleted().isNotCompletedExceptionally();
        assertThat(queue().take(Duration.ofMillis(10))).isEmpty();
    }

    @Test
    void anAcknowledgementRidesAlongWithTheNextMailsCommit() throws Exception {
        FileMailQueue q = queue();
        enqueue(q, BODY);
        CompletableFuture<Void> ack = q.acknowledge(take(q), Disposition.done()).toCompletableFuture();
        long forces = q.forces();
        enqueue(q, BODY);
        ack.get(1, TimeUnit.SECONDS);
        // One fdatasync for the new mail and the DONE together.
        assertThat(q.forces()).isEqualTo(forces + 1);
        q.close();
        try (FileMailQueue reopened = queue()) {
            assertThat(reopened.size().mails()).isEqualTo(1);
        }
    }

    @Test
    void anAcknowledgementBecomesDurableWithoutOtherTraffic() throws Exception {
        FileMailQueue q = queue();
        enqueue(q, BODY);
        long forces = q.forces();
        q.acknowledge(take(q), Disposition.done()).toCompletableFuture().get(1, TimeUnit.SECONDS);
        assertThat(q.forces()).isEqualTo(forces + 1);
    }

    @Test
    void messageContentOfBytesIsSharedToo() throws IOException {
        try (InputStream in = org.postlet.queue.MessageContent.of(BODY).open()) {
            assertThat(in).isInstanceOf(SharedInputStream.class);
            assertThat(in.readAllBytes()).isEqualTo(BODY);
        }
    }

    @Test
    void flushMakesEveryDeferredMailDueNow() throws Exception {
        FileMailQueue q = queue();
        enqueue(q, BODY);
        enqueue(q, BODY);
        for (int i = 0; i < 2; i++) {
            q.acknowledge(take(q), Disposition.retry(List.of(ALICE), Duration.ofDays(1), "later")).toCompletableFuture().get();
        }
        assertThat(q.take(Duration.ofMillis(10))).isEmpty();
        assertThat(q.flush()).isEqualTo(2);
        take(q);
        take(q);
        assertThat(q.flush()).isZero();
    }

    @Test
    void aGeneratedMailIsEnqueuedOnceEvenAfterItWasProcessedAndTheServerRestarted() throws Exception {
        FileMailQueue first = queue();
        String id = QueueIds.derived("bounce of X");
        MailEnvelope generated = new MailEnvelope(Optional.empty(), List.of(ALICE), new Origin.Generated("X"), Instant.now());
        MailQueue.Enqueuing m = first.enqueueOnce(id, generated, ProcessingState.ROOT, Map.of()).orElseThrow();
        assertThat(first.enqueueOnce(id, generated, ProcessingState.ROOT, Map.of())).as("being enqueued").isEmpty();
        m.write(ByteBuffer.wrap(BODY));
        m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(first.enqueueOnce(id, generated, ProcessingState.ROOT, Map.of())).as("queued").isEmpty();
        Lease lease = take(first);
        assertThat(lease.envelope().origin()).isEqualTo(new Origin.Generated("X"));
        first.acknowledge(lease, Disposition.done()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(first.enqueueOnce(id, generated, ProcessingState.ROOT, Map.of())).as("processed").isEmpty();
        first.close();

        FileMailQueue second = queue();
        assertThat(second.enqueueOnce(id, generated, ProcessingState.ROOT, Map.of())).as("processed before the restart").isEmpty();
        String other = QueueIds.derived("bounce of Y");
        MailQueue.Enqueuing aborted = second.enqueueOnce(other, generated, ProcessingState.ROOT, Map.of()).orElseThrow();
        aborted.abort();
        assertThat(second.enqueueOnce(other, generated, ProcessingState.ROOT, Map.of())).as("aborted: free again").isPresent();
    }

    @Test
    void aSegmentIsDeletedOnceAllItsMailsAreDoneAndDeferredOnesAreCompactedOutOfIt() throws Exception {
        FileMailQueue first = queue(new FileMailQueue.Settings(16 * 1024, 1024 * 1024, 1024 * 1024, 0));
        byte[] body = new byte[4096];
        new Random(1).nextBytes(body);
        String deferred = enqueue(first, body);
        Lease lease = take(first);
        first.acknowledge(lease, Disposition.retry(List.of(ODD), Duration.ofHours(1), "later")).toCompletableFuture().get();
        for (int i = 0; i < 20; i++) {
            enqueue(first, body);
        }
        assertThat(segments().size()).isGreaterThan(3);
        for (int i = 0; i < 20; i++) {
            first.acknowledge(take(first), Disposition.done()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        first.reclaimSegments(); // the deferred mail is copied out of the oldest segment
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (segments().size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            first.reclaimSegments();
        }
        assertThat(segments()).hasSize(1);
        first.close();

        FileMailQueue second = queue();
        QueuedMailSummary summary = second.find(deferred).orElseThrow();
        assertThat(summary.state()).isEqualTo(QueueState.DEFERRED);
        assertThat(summary.recipients()).containsExactly(ODD);
        assertThat(second.size().mails()).isEqualTo(1);
        second.flush();
        assertThat(read(take(second))).isEqualTo(body);
    }

    @Test
    void aMailDeferredOrHeldOutOfAnOldSegmentIsCopiedWholeToTheHeadSoTheOldSegmentGoes() throws Exception {
        FileMailQueue first = queue(new FileMailQueue.Settings(16 * 1024, 1024 * 1024, 0, 0)); // nothing kept in memory
        byte[] body = new byte[4096];
        new Random(3).nextBytes(body);
        String deferred = enqueue(first, body);
        String held = enqueue(first, body);
        for (int i = 0; i < 10; i++) {
            enqueue(first, body);
        }
        Lease lease = take(first);
        assertThat(lease.id()).isEqualTo(deferred);
        first.acknowledge(lease, Disposition.retry(List.of(ALICE), Duration.ofHours(1), "later")).toCompletableFuture().get();
        assertThat(first.hold(held)).isTrue();
        for (int i = 0; i < 10; i++) {
            first.acknowledge(take(first), Disposition.done()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        first.reclaimSegments(); // no compaction needed: both were copied when deferred and held
        assertThat(segments()).hasSize(1);
        first.close();

        FileMailQueue second = queue();
        assertThat(second.find(deferred).orElseThrow().state()).isEqualTo(QueueState.DEFERRED);
        assertThat(second.find(held).orElseThrow().state()).isEqualTo(QueueState.HELD);
        second.flush();
        second.unhold(held);
        assertThat(read(take(second))).isEqualTo(body);
        assertThat(read(take(second))).isEqualTo(body);
    }

    @Test
    void aTwoMebibyteMessageIsSpilledAndReadsBackExactly() throws Exception {
        FileMailQueue first = queue();
        byte[] big = new byte[2 * 1024 * 1024 + 17];
        new Random(2).nextBytes(big);
        MailQueue.Enqueuing m = first.enqueue(ENVELOPE);
        for (int at = 0; at < big.length; at += 65536) {
            m.write(ByteBuffer.wrap(big, at, Math.min(65536, big.length - at)));
        }
        m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
        Lease lease = take(first);
        assertThat(lease.content().size()).isEqualTo(big.length);
        assertThat(read(lease)).isEqualTo(big);
        try (InputStream in = lease.content().open()) {
            assertThat(in).isInstanceOf(SharedInputStream.class);
            InputStream part = ((SharedInputStream) in).newStream(100, 200);
            assertThat(part.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(big, 100, 200));
        }
        assertThat(segments().stream().mapToLong(p -> p.toFile().length()).sum()).as("not in the log").isLessThan(big.length);
        first.close();

        FileMailQueue second = queue();
        Lease again = take(second);
        assertThat(read(again)).isEqualTo(big);
        second.acknowledge(again, Disposition.done()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        try (Stream<Path> spilled = Files.list(dir.resolve("spill"))) {
            assertThat(spilled).isEmpty();
        }
    }

    @Test
    void mailsEnqueuedFromTwentyThreadsAreAllCommittedAndEachTakenOnce() throws Exception {
        FileMailQueue q = queue();
        ExecutorService senders = Executors.newFixedThreadPool(20);
        Set<String> committed = ConcurrentHashMap.newKeySet();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            done.add(senders.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    committed.add(enqueue(q, BODY));
                }
                return null;
            }));
        }
        Set<String> taken = ConcurrentHashMap.newKeySet();
        List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
        ExecutorService workers = Executors.newFixedThreadPool(4);
        for (int w = 0; w < 4; w++) {
            workers.submit(() -> {
                Optional<Lease> lease;
                while ((lease = q.take(Duration.ofMillis(500))).isPresent()) {
                    if (!taken.add(lease.get().id())) {
                        duplicates.add(lease.get().id());
                    }
                    q.acknowledge(lease.get(), Disposition.done());
                }
                return null;
            });
        }
        for (Future<?> f : done) {
            f.get(20, TimeUnit.SECONDS);
        }
        senders.shutdown();
        workers.shutdown();
        assertThat(workers.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        assertThat(committed).hasSize(500);
        assertThat(taken).isEqualTo(committed);
        assertThat(duplicates).isEmpty();
        assertThat(q.forces()).as("commits share fsyncs").isLessThanOrEqualTo(1000);
    }

    @Test
    void aCommitThatCannotBeMadeDurableFailsAndNothingIsDelivered() throws Exception {
        FileMailQueue first = queue();
        MailQueue.Enqueuing m = first.enqueue(ENVELOPE);
        m.write(ByteBuffer.wrap(BODY));
        first.close();
        CompletableFuture<Void> commit = m.commit().toCompletableFuture();
        assertThat(commit).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("closed");
        assertThat(first.take(Duration.ofMillis(10))).isEmpty();

        FileMailQueue second = queue();
        assertThat(second.take(Duration.ofMillis(10))).isEmpty();
        assertThat(second.size().mails()).isZero();
    }

    @Test
    void filesAreTheOwnersOnly() throws Exception {
        FileMailQueue q = queue();
        enqueue(q, BODY);
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(segments().get(0)))).isEqualTo("rw-------");
        for (String d : List.of("log", "spill", "sent", "maildrop")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(d)))).as(d).isEqualTo("rwx------");
        }
    }

    @Test
    void browseListsEveryMailWithItsState() throws Exception {
        FileMailQueue q = queue();
        String a = enqueue(q, BODY);
        String b = enqueue(q, BODY);
        String c = enqueue(q, BODY);
        q.hold(c);
        q.acknowledge(take(q), Disposition.retry(List.of(ALICE), Duration.ofHours(1), "later")).toCompletableFuture().get();
        assertThat(q.browse()).extracting(QueuedMailSummary::id, QueuedMailSummary::state, QueuedMailSummary::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a, QueueState.DEFERRED, (long) BODY.length),
                        org.assertj.core.groups.Tuple.tuple(b, QueueState.ACTIVE, (long) BODY.length),
                        org.assertj.core.groups.Tuple.tuple(c, QueueState.HELD, (long) BODY.length));
        assertThat(q.size()).isEqualTo(new org.postlet.queue.QueueSize(3, 1, 1, Optional.of(ENVELOPE.receivedAt())));
        q.remove(c);
        q.flush();
        assertThat(q.size()).isEqualTo(new org.postlet.queue.QueueSize(2, 0, 0, Optional.of(ENVELOPE.receivedAt())));
    }

    @Test
    void inspectShowsAMailsProcessorAttributesAndMessageWithoutTakingIt() throws Exception {
        FileMailQueue q = queue();
        String id = enqueue(q, BODY);
        org.postlet.queue.QueuedMailDetail detail = q.inspect(id).orElseThrow();
        assertThat(detail.summary().id()).isEqualTo(id);
        assertThat(detail.state()).contains(org.postlet.mailet.ProcessingState.ROOT);
        assertThat(detail.content().orElseThrow().header(1024)).isEqualTo("Subject: x\r\n");
        assertThat(q.inspect("nosuchmail")).isEmpty();
        assertThat(take(q).id()).as("still there to be taken").isEqualTo(id);
    }
}
