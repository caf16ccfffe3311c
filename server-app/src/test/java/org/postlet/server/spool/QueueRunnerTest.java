package org.postlet.server.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.server.PostletServer;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.IncomingMessage;

/**
 * Temporary failures, give-up and redelivery after a crash, with the real wiring: the pipeline
 * from a pipeline.yaml, the real spool, LocalDelivery into a real maildir.
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

    private static String spoolMessage(FileSpool spool, String... users) throws Exception {
        List<MailAddress> rcpts = Stream.of(users).map(u -> new MailAddress(u, "example.test")).toList();
        IncomingMessage m = spool.open(new Envelope(Optional.of(MailAddress.parse("s@example.com")), rcpts, Map.of(), Map.of(),
                "client", new InetSocketAddress("127.0.0.1", 1), Optional.empty(), Optional.empty(), "mx", Instant.now()));
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

    private void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
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

    @Test
    void temporaryFailuresAreRetriedUntilTheMailIsDeliveredOnce() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        Flakiness flakiness = c.injector().getInstance(Flakiness.class);
        flakiness.failuresLeft.set(2);
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        String id = spoolMessage(spool, "alice", "bob");
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()), Clock.systemUTC(), FAST, 2, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("both mailboxes have the message", () -> count("mail/example.test/alice/new", 1) && count("mail/example.test/bob/new", 1));
            await("the spool is empty", () -> count("spool/queue", 0) && count("spool/retry", 0));
        }
        assertThat(flakiness.calls.get()).isEqualTo(3);
        assertThat(files("mail/example.test/alice/new")).hasSize(1);
        assertThat(files("mail/example.test/bob/new")).hasSize(1);
        assertThat(files("mail/example.test/alice/new").get(0).getFileName().toString()).contains("_" + id + ".");
        spool.close();
    }

    @Test
    void aMailThatKeepsFailingGoesToTheErrorProcessorWithTheReason() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        c.injector().getInstance(Flakiness.class).failuresLeft.set(Integer.MAX_VALUE);
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        spoolMessage(spool, "alice");
        RetryPolicy giveUpSoon = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(150));
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()), Clock.systemUTC(), giveUpSoon, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("the mail is kept in the error repository", () -> count("error", 1));
            await("the spool is empty", () -> count("spool/queue", 0));
        }
        String kept = Files.readString(files("error").get(0));
        assertThat(kept).contains("giving+up").contains("disk+full+%28simulated%29");
        assertThat(files("mail/example.test/alice/new")).isEmpty();
        spool.close();
    }

    @Test
    void aMailRecoveredAfterACrashIsNotDeliveredTwice() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: LogMessage }");
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        String id = spoolMessage(spool, "alice", "bob");
        Path spooled = dir.resolve("spool/queue").resolve(id);
        byte[] copy = Files.readAllBytes(spooled);
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()), Clock.systemUTC(), FAST, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("delivered", () -> count("mail/example.test/alice/new", 1) && count("mail/example.test/bob/new", 1)
                    && count("spool/queue", 0));
        }
        spool.close();
        // The crash: bob's delivery was undone and the spool file never removed.
        Files.delete(files("mail/example.test/bob/new").get(0));
        Files.write(spooled, copy);

        FileSpool restarted = new FileSpool(dir.resolve("spool"), new QueueIds(Clock.systemUTC()),
                java.util.concurrent.Executors.newSingleThreadExecutor());
        try (QueueRunner runner = new QueueRunner(restarted, new org.postlet.server.pipeline.LivePipeline(c.pipeline()), Clock.systemUTC(), FAST, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("bob got his copy again", () -> count("mail/example.test/bob/new", 1) && count("spool/queue", 0));
        }
        assertThat(files("mail/example.test/alice/new")).hasSize(1);
        restarted.close();
    }

    @Test
    void aKeptMailIsPutBackIntoProcessingWithRequeue() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        Flakiness flakiness = c.injector().getInstance(Flakiness.class);
        flakiness.failuresLeft.set(Integer.MAX_VALUE);
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        String id = spoolMessage(spool, "alice");
        RetryPolicy giveUpSoon = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(100));
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()), Clock.systemUTC(), giveUpSoon, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("the mail is kept", () -> count("error", 1) && count("spool/queue", 0));
            flakiness.failuresLeft.set(0); // the operator fixed the cause

            assertThat(FileSpool.drop(dir.resolve("spool"), files("error").get(0))).isEqualTo(id);
            assertThat(files("error")).isEmpty();
            await("the requeued mail is delivered", () -> count("mail/example.test/alice/new", 1) && count("spool/queue", 0)
                    && count("spool/maildrop", 0));
        }
        assertThat(Files.readString(files("mail/example.test/alice/new").get(0))).endsWith("body\n");
        spool.close();
    }

    @Test
    void overQuotaIsATemporaryFailureThatKeepsTheMail() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: LogMessage }",
                "alice@example.test:{PLAIN}a::::::userdb_quota_rule=*:storage=10\nbob@example.test:{PLAIN}b\n");
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        String id = spoolMessage(spool, "alice", "bob");
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()), Clock.systemUTC(), FAST, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("bob has his copy and alice's is deferred", () -> count("mail/example.test/bob/new", 1) && count("spool/retry", 1));
            RetryState state = spool.retryState(id).orElseThrow();
            assertThat(state.remaining()).containsExactly(new MailAddress("alice", "example.test"));
            assertThat(state.reason()).contains("alice@example.test is over quota");
        }
        assertThat(files("mail/example.test/alice/new")).isEmpty();
        assertThat(files("spool/queue")).hasSize(1);
        spool.close();
    }

    @Test
    void anErrorInAMailetNeitherKillsTheWorkerNorLosesTheMail() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FatalOnce.class.getName() + " }");
        c.injector().getInstance(Flakiness.class).failuresLeft.set(1);
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        String first = spoolMessage(spool, "alice");
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()),
                Clock.systemUTC(), FAST, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            spoolMessage(spool, "bob");
            await("the one worker delivered the second mail", () -> count("mail/example.test/bob/new", 1));
        }
        assertThat(files("spool/queue")).extracting(p -> p.getFileName().toString()).containsExactly(first);
        spool.close();
    }

    @Test
    void attributesSurviveTheRepositoryAndARequeue() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: SetMailAttribute, name: quarantined-by, value: test }\n"
                + "      - { match: \"not HasMailAttribute=released\", class: ToRepository, path: ../error }");
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        spoolMessage(spool, "alice");
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()),
                Clock.systemUTC(), FAST, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("the mail is kept", () -> count("error", 1) && count("spool/queue", 0));
        }
        SpoolEntry kept = SpoolFormat.read(files("error").get(0));
        assertThat(kept.attributes()).containsEntry("quarantined-by", "test");
        spool.close();
    }

    @Test
    void aForwardMadeBeforeACrashIsNotSentAgainWhenItsCauseRunsAgain() throws Exception {
        PostletServer.Checked c = install("{ match: \"RecipientIs=alice@example.test\", class: Forward, forwardTo: bob@example.test, passThrough: true }");
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        String id = spoolMessage(spool, "alice");
        Path spooled = dir.resolve("spool/queue").resolve(id);
        byte[] copy = Files.readAllBytes(spooled);
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()),
                Clock.systemUTC(), FAST, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("alice has the mail and bob the forward", () -> count("mail/example.test/alice/new", 1)
                    && count("mail/example.test/bob/new", 1) && count("spool/queue", 0));
        }
        spool.close();
        Files.write(spooled, copy); // the crash: the cause was never removed from the spool

        FileSpool restarted = new FileSpool(dir.resolve("spool"), new QueueIds(Clock.systemUTC()),
                java.util.concurrent.Executors.newSingleThreadExecutor());
        try (QueueRunner runner = new QueueRunner(restarted, new org.postlet.server.pipeline.LivePipeline(c.pipeline()),
                Clock.systemUTC(), FAST, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            // A second forward would be spooled while the cause runs, before the cause leaves the queue,
            // and leave the queue itself only once delivered: an empty queue means it would be in bob's maildir.
            await("the cause ran again", () -> count("spool/queue", 0));
        }
        assertThat(files("mail/example.test/alice/new")).hasSize(1);
        assertThat(files("mail/example.test/bob/new")).hasSize(1);
        restarted.close();
    }

    @Test
    void aStepThatPropagatesKeepsTheMailInTheSpoolAndRetriesIt() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + org.postlet.server.pipeline.TestMailets.Fail.class.getName()
                + ", onMailetException: propagate }");
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        String id = spoolMessage(spool, "alice");
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()),
                Clock.systemUTC(), FAST, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("the mail failed and was retried at least once", () -> attempts(spool, id) >= 2);
        }
        RetryState state = spool.retryState(id).orElseThrow();
        assertThat(state.remaining()).containsExactly(new MailAddress("alice", "example.test"));
        assertThat(state.reason()).contains("boom");
        assertThat(files("spool/queue")).extracting(p -> p.getFileName().toString()).containsExactly(id);
        assertThat(files("error")).as("propagate keeps the mail out of the error processor").isEmpty();
        assertThat(files("mail/example.test/alice/new")).isEmpty();
        spool.close();
    }

    /**
     * The backoff schedule, in virtual time: the wait doubles from {@code delay} up to
     * {@code maxDelay}, and the first attempt after {@code giveUpAfter} sends the mail to the error
     * processor with the reason. The clock jumps to the mail's next attempt as soon as the runner
     * has recorded it, so the runner's own timer fires at once and runs the whole schedule.
     */
    @Test
    void retriesWaitDoublingDelaysUpToTheMaximumThenGiveUpIntoTheErrorProcessor() throws Exception {
        PostletServer.Checked c = install("{ match: All, class: " + FlakyMailet.class.getName() + " }");
        Flakiness flakiness = c.injector().getInstance(Flakiness.class);
        flakiness.failuresLeft.set(Integer.MAX_VALUE);
        FileSpool spool = c.injector().getInstance(FileSpool.class);
        String id = spoolMessage(spool, "alice");
        Instant start = Instant.parse("2026-03-01T00:00:00Z");
        NextAttemptClock clock = new NextAttemptClock(spool, id, start);
        RetryPolicy policy = new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(8), Duration.ofMinutes(30));
        try (QueueRunner runner = new QueueRunner(spool, new org.postlet.server.pipeline.LivePipeline(c.pipeline()), clock,
                policy, 1, new com.codahale.metrics.MetricRegistry(), c.injector().getInstance(DeferredDurability.class))) {
            await("the mail is kept in the error repository", () -> count("error", 1) && count("spool/queue", 0));
        }
        // Attempts at 0, 1, 3, 7, 15 and 23 minutes (waits 1, 2, 4, 8, 8, 8); at 31 > 30 it gives up.
        assertThat(clock.recorded()).extracting(RetryState::attempts).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(clock.recorded()).extracting(r -> Duration.between(start, r.nextAttempt()).toMinutes())
                .containsExactly(1L, 3L, 7L, 15L, 23L, 31L);
        assertThat(clock.recorded()).extracting(RetryState::firstFailure).containsOnly(start);
        assertThat(flakiness.calls.get()).as("six failed attempts; the seventh, past giveUpAfter, goes to error").isEqualTo(6);
        String kept = Files.readString(files("error").get(0));
        assertThat(kept).contains("giving+up").contains("6+attempts").contains("disk+full+%28simulated%29");
        spool.close();
    }

    private static int attempts(FileSpool spool, String id) {
        try {
            return spool.retryState(id).map(RetryState::attempts).orElse(0);
        } catch (IOException e) {
            return -1; // being replaced right now
        }
    }

    /**
     * Virtual time for one mail: {@code start} until a retry is recorded, then that retry's
     * {@code nextAttempt}. Remembers every retry record it saw, in order.
     */
    private static final class NextAttemptClock extends Clock {
        private final FileSpool spool;
        private final String id;
        private final Instant start;
        private final List<RetryState> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();

        NextAttemptClock(FileSpool spool, String id, Instant start) {
            this.spool = spool;
            this.id = id;
            this.start = start;
        }

        List<RetryState> recorded() {
            return List.copyOf(recorded);
        }

        @Override
        public synchronized Instant instant() {
            Optional<RetryState> state;
            try {
                state = spool.retryState(id);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (state.isEmpty()) {
                return start;
            }
            if (recorded.isEmpty() || recorded.get(recorded.size() - 1).attempts() != state.get().attempts()) {
                recorded.add(state.get());
            }
            return state.get().nextAttempt();
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException("the runner uses instants only");
        }
    }
}
