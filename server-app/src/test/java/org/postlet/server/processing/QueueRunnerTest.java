package org.postlet.server.processing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.queue.Deferral;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.Origin;
import org.postlet.queue.QueueIds;
import org.postlet.queue.QueuedMailSummary;
import org.postlet.queue.file.FileMailQueue;
import org.postlet.queue.file.MailFile;
import org.postlet.server.PostletServer;
import org.postlet.server.pipeline.LivePipeline;

/**
 * Temporary failures, give-up and redelivery after a crash, with the real wiring: the pipeline
 * from a pipeline.yaml, the real file queue, LocalDelivery into a real maildir.
 */
class QueueRunnerTest {

    private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(80), Duration.ofHours(1));

    @TempDir
    Path dir;

    private PostletServer.Checked install(String firstStep) throws Exception {
        return install(firstStep, "alice@example.test:{PLAIN}a\nbob@example.test:{PLAIN}b\n");
    }

    private PostletServer.Checked install(String firstStep, String users) throws Exception {
        return SpoolInstallation.install(dir, users, firstStep);
    }

    private MailQueue openQueue(Clock clock) throws IOException {
        return FileMailQueue.open(dir.resolve("spool"), new QueueIds(Clock.systemUTC()), clock);
    }

    private static QueueRunner runner(MailQueue queue, PostletServer.Checked c, Clock clock, RetryPolicy policy, int threads) {
        return new QueueRunner(queue, new LivePipeline(c.pipeline()), clock, policy, threads, new MetricRegistry());
    }

    static String enqueue(MailQueue queue, String... users) throws Exception {
        List<MailAddress> rcpts = Stream.of(users).map(u -> new MailAddress(u, "example.test")).toList();
        MailQueue.Enqueuing m = queue.enqueue(new MailEnvelope(Optional.of(MailAddress.parse("s@example.com")), rcpts,
                new Origin.SmtpSession("client", "127.0.0.1", 1, Optional.empty(), Optional.empty(), "mx"), Instant.now()));
        m.write(ByteBuffer.wrap("Subject: t\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return m.id();
    }

    private List<Path> files(String relative) throws IOException {
        Path d = dir.resolve(relative);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private boolean count(String relative, int n) {
        try {
            return files(relative).size() == n;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean empty(MailQueue queue) {
        return queue.size().mails() == 0;
    }

    private static Optional<Deferral> deferral(MailQueue queue, String id) {
        try {
            return queue.find(id).flatMap(QueuedMailSummary::deferral);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void temporaryFailuresAreRetriedUntilTheMailIsDeliveredOnce() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        Flakiness flakiness = c.injector().getInstance(Flakiness.class);
        flakiness.failuresLeft.set(2);
        try (MailQueue queue = openQueue(Clock.systemUTC())) {
            String id = enqueue(queue, "alice", "bob");
            try (QueueRunner r = runner(queue, c, Clock.systemUTC(), FAST, 2)) {
                await("both mailboxes have the message", () -> count("mail/example.test/alice/new", 1)
                        && count("mail/example.test/bob/new", 1));
                await("the queue is empty", () -> empty(queue));
            }
            assertThat(flakiness.calls.get()).isEqualTo(3);
            assertThat(files("mail/example.test/alice/new")).hasSize(1);
            assertThat(files("mail/example.test/bob/new")).hasSize(1);
            assertThat(files("mail/example.test/alice/new").get(0).getFileName().toString()).contains("_" + id + ".");
        }
    }

    @Test
    void aMailThatKeepsFailingGoesToTheErrorProcessorWithTheReason() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        c.injector().getInstance(Flakiness.class).failuresLeft.set(Integer.MAX_VALUE);
        RetryPolicy giveUpSoon = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(150));
        try (MailQueue queue = openQueue(Clock.systemUTC())) {
            enqueue(queue, "alice");
            try (QueueRunner r = runner(queue, c, Clock.systemUTC(), giveUpSoon, 1)) {
                await("the mail is kept in the error repository", () -> count("error", 1));
                await("the queue is empty", () -> empty(queue));
            }
        }
        String kept = Files.readString(files("error").get(0));
        assertThat(kept).contains("giving+up").contains("disk+full+%28simulated%29");
        assertThat(files("mail/example.test/alice/new")).isEmpty();
    }

    @Test
    void aMailRecoveredAfterACrashIsNotDeliveredTwice() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: LogMessage }");
        MailQueue queue = openQueue(Clock.systemUTC());
        String id = enqueue(queue, "alice", "bob");
        try (QueueRunner r = runner(new CrashBeforeAcknowledge(queue, Set.of(id)), c, Clock.systemUTC(), FAST, 1)) {
            await("delivered", () -> count("mail/example.test/alice/new", 1) && count("mail/example.test/bob/new", 1));
        }
        queue.close();
        // The crash also undid bob's delivery: it never reached the disk.
        Files.delete(files("mail/example.test/bob/new").get(0));

        try (MailQueue restarted = openQueue(Clock.systemUTC());
             QueueRunner r = runner(restarted, c, Clock.systemUTC(), FAST, 1)) {
            await("bob got his copy again", () -> count("mail/example.test/bob/new", 1) && empty(restarted));
        }
        assertThat(files("mail/example.test/alice/new")).as("alice's copy was there already: not again").hasSize(1);
    }

    @Test
    void aKeptMailIsPutBackIntoProcessingWithRequeue() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        Flakiness flakiness = c.injector().getInstance(Flakiness.class);
        flakiness.failuresLeft.set(Integer.MAX_VALUE);
        RetryPolicy giveUpSoon = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(100));
        try (MailQueue queue = openQueue(Clock.systemUTC())) {
            String id = enqueue(queue, "alice");
            try (QueueRunner r = runner(queue, c, Clock.systemUTC(), giveUpSoon, 1)) {
                await("the mail is kept", () -> count("error", 1) && empty(queue));
                flakiness.failuresLeft.set(0); // the operator fixed the cause

                assertThat(FileMailQueue.drop(dir.resolve("spool"), files("error").get(0))).isEqualTo(id);
                assertThat(files("error")).isEmpty();
                await("the requeued mail is delivered", () -> count("mail/example.test/alice/new", 1) && empty(queue)
                        && count("spool/maildrop", 0));
            }
        }
        assertThat(Files.readString(files("mail/example.test/alice/new").get(0))).endsWith("body\n");
    }

    @Test
    void overQuotaIsATemporaryFailureThatKeepsTheMail() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: LogMessage }",
                "alice@example.test:{PLAIN}a::::::userdb_quota_rule=*:storage=10\nbob@example.test:{PLAIN}b\n");
        try (MailQueue queue = openQueue(Clock.systemUTC())) {
            String id = enqueue(queue, "alice", "bob");
            try (QueueRunner r = runner(queue, c, Clock.systemUTC(), FAST, 1)) {
                await("bob has his copy and alice's is deferred", () -> count("mail/example.test/bob/new", 1)
                        && deferral(queue, id).isPresent());
                QueuedMailSummary waiting = queue.find(id).orElseThrow();
                assertThat(waiting.recipients()).containsExactly(new MailAddress("alice", "example.test"));
                assertThat(waiting.deferral().orElseThrow().reason()).contains("alice@example.test is over quota");
            }
            assertThat(files("mail/example.test/alice/new")).isEmpty();
            assertThat(queue.size().mails()).isEqualTo(1);
        }
    }

    @Test
    void anErrorInAMailetNeitherKillsTheWorkerNorLosesTheMail() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FatalOnce.class.getName() + " }");
        c.injector().getInstance(Flakiness.class).failuresLeft.set(1);
        try (MailQueue queue = openQueue(Clock.systemUTC())) {
            String first = enqueue(queue, "alice");
            try (QueueRunner r = runner(queue, c, Clock.systemUTC(), FAST, 1)) {
                enqueue(queue, "bob");
                await("the one worker delivered the second mail", () -> count("mail/example.test/bob/new", 1)
                        && queue.size().mails() == 1);
            }
            assertThat(queue.browse()).extracting(QueuedMailSummary::id).containsExactly(first);
        }
    }

    @Test
    void attributesSurviveTheRepositoryAndARequeue() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: SetMailAttribute, name: quarantined-by, value: test }\n"
                + "      - { match: \"not HasMailAttribute=released\", class: ToRepository, path: ../error }");
        try (MailQueue queue = openQueue(Clock.systemUTC())) {
            enqueue(queue, "alice");
            try (QueueRunner r = runner(queue, c, Clock.systemUTC(), FAST, 1)) {
                await("the mail is kept", () -> count("error", 1) && empty(queue));
            }
        }
        MailFile.Kept kept = MailFile.read(files("error").get(0));
        assertThat(kept.attributes()).containsEntry("quarantined-by", "test");
        assertThat(kept.envelope().origin()).isInstanceOf(Origin.Requeued.class);
    }

    @Test
    void aForwardMadeBeforeACrashIsNotSentAgainWhenItsCauseRunsAgain() throws Exception {
        String step = "{ match: \"RecipientIs=alice@example.test\", class: Forward, forwardTo: bob@example.test, passThrough: true }";
        PostletServer.Checked c = install(step);
        // The queue the mailets send through: the server's own.
        MailQueue queue = c.injector().getInstance(MailQueue.class);
        String id = enqueue(queue, "alice");
        try (QueueRunner r = runner(new CrashBeforeAcknowledge(queue, Set.of(id)), c, Clock.systemUTC(), FAST, 1)) {
            await("alice has the mail and bob the forward", () -> count("mail/example.test/alice/new", 1)
                    && count("mail/example.test/bob/new", 1) && queue.size().mails() == 1);
        }
        queue.close(); // the crash: the cause's end never reached the disk

        PostletServer.Checked restart = install(step);
        MailQueue restarted = restart.injector().getInstance(MailQueue.class);
        try (restarted; QueueRunner r = runner(restarted, restart, Clock.systemUTC(), FAST, 1)) {
            // A second forward would be queued while the cause runs, before the cause leaves the queue,
            // and leave the queue itself only once delivered: an empty queue means it would be in bob's maildir.
            await("the cause ran again", () -> empty(restarted));
        }
        assertThat(files("mail/example.test/alice/new")).hasSize(1);
        assertThat(files("mail/example.test/bob/new")).hasSize(1);
    }

    @Test
    void aStepThatPropagatesKeepsTheMailQueuedAndRetriesIt() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + org.postlet.server.pipeline.TestMailets.Fail.class.getName()
                + ", onMailetException: propagate }");
        try (MailQueue queue = openQueue(Clock.systemUTC())) {
            String id = enqueue(queue, "alice");
            try (QueueRunner r = runner(queue, c, Clock.systemUTC(), FAST, 1)) {
                await("the mail failed and was retried at least once",
                        () -> deferral(queue, id).map(Deferral::attempts).orElse(0) >= 2);
            }
            QueuedMailSummary waiting = queue.find(id).orElseThrow();
            assertThat(waiting.recipients()).containsExactly(new MailAddress("alice", "example.test"));
            assertThat(waiting.deferral().orElseThrow().reason()).contains("boom");
        }
        assertThat(files("error")).as("propagate keeps the mail out of the error processor").isEmpty();
        assertThat(files("mail/example.test/alice/new")).isEmpty();
    }

    /**
     * The backoff schedule, in virtual time: the wait doubles from {@code delay} up to
     * {@code maxDelay}, and the first attempt after {@code giveUpAfter} sends the mail to the error
     * processor with the reason. Each time a deferral is recorded, the clock moves to its next
     * attempt and the queue is flushed, so the whole schedule runs at once.
     */
    @Test
    void retriesWaitDoublingDelaysUpToTheMaximumThenGiveUpIntoTheErrorProcessor() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        Flakiness flakiness = c.injector().getInstance(Flakiness.class);
        flakiness.failuresLeft.set(Integer.MAX_VALUE);
        Instant start = Instant.parse("2026-03-01T00:00:00Z");
        ManualClock clock = new ManualClock(start);
        RetryPolicy policy = new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(8), Duration.ofMinutes(30));
        List<Deferral> recorded = new CopyOnWriteArrayList<>();
        try (MailQueue queue = openQueue(clock)) {
            String id = enqueue(queue, "alice");
            try (QueueRunner r = runner(queue, c, clock, policy, 1)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!count("error", 1) && System.nanoTime() < deadline) {
                    Optional<Deferral> d = deferral(queue, id);
                    if (d.isPresent() && (recorded.isEmpty() || recorded.get(recorded.size() - 1).attempts() != d.get().attempts())) {
                        recorded.add(d.get());
                        clock.set(d.get().nextAttempt());
                        queue.flush();
                    }
                    Thread.sleep(5);
                }
                await("the mail is kept in the error repository", () -> count("error", 1) && empty(queue));
            }
        }
        // Attempts at 0, 1, 3, 7, 15 and 23 minutes (waits 1, 2, 4, 8, 8, 8); at 31 > 30 it gives up.
        assertThat(recorded).extracting(Deferral::attempts).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(recorded).extracting(r -> Duration.between(start, r.nextAttempt()).toMinutes())
                .containsExactly(1L, 3L, 7L, 15L, 23L, 31L);
        assertThat(recorded).extracting(Deferral::firstFailure).containsOnly(start);
        assertThat(flakiness.calls.get()).as("six failed attempts; the seventh, past giveUpAfter, goes to error").isEqualTo(6);
        String kept = Files.readString(files("error").get(0));
        assertThat(kept).contains("giving+up").contains("6+attempts").contains("disk+full+%28simulated%29");
    }

    /**
     * The wall clock jumping: a deferral written while the clock was far ahead (or read after it
     * was set back) must not hold its mail for the whole jump, only for the delay it was given.
     */
    @Test
    void aRetryTimeFarAheadAfterTheClockWasSetBackWaitsOnlyTheDelayItWasGiven() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        c.injector().getInstance(Flakiness.class).failuresLeft.set(1);
        ManualClock aYearAhead = new ManualClock(Instant.now().plus(Duration.ofDays(365)));
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofDays(5));
        try (MailQueue queue = openQueue(aYearAhead)) {
            String id = enqueue(queue, "alice");
            try (QueueRunner r = runner(queue, c, aYearAhead, policy, 1)) {
                await("deferred under the clock a year ahead", () -> deferral(queue, id).isPresent());
            }
        }
        try (MailQueue restarted = openQueue(Clock.systemUTC());
             QueueRunner r = runner(restarted, c, Clock.systemUTC(), policy, 1)) {
            await("delivered within seconds, not in a year", () -> count("mail/example.test/alice/new", 1));
        }
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private volatile Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("instants only");
        }
    }
}
