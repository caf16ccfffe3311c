package org.postlet.server.spool;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
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
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.server.PostletServer;
import org.postlet.server.pipeline.LivePipeline;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.IncomingMessage;

/**
 * The wall clock jumping: a retry record written while the clock was far ahead (or read after it
 * was set back) must not hold its mail for the whole jump. No wait is ever longer than the retry
 * policy's longest delay.
 */
class ClockJumpTest {

    private static final RetryPolicy POLICY = new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofDays(5));

    @TempDir
    Path dir;

    @Test
    void aRetryTimeFarAheadAfterTheClockWasSetBackWaitsNoLongerThanTheLongestDelay() throws Exception {
        PostletServer.Checked checked = install();
        FileSpool spool = checked.injector().getInstance(FileSpool.class);
        String id = spoolMessage(spool);
        Instant aYearAhead = Instant.now().plus(Duration.ofDays(365));
        spool.defer(id, new RetryState(List.of(new MailAddress("alice", "example.test")), 1, aYearAhead.minusSeconds(60),
                aYearAhead, "deferred while the clock was a year ahead"));
        spool.close();

        FileSpool restarted = new FileSpool(dir.resolve("spool"), new QueueIds(Clock.systemUTC()), Executors.newSingleThreadExecutor());
        try (QueueRunner runner = new QueueRunner(restarted, new LivePipeline(checked.pipeline()), Clock.systemUTC(), POLICY, 1,
                new MetricRegistry(), checked.injector().getInstance(DeferredDurability.class))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (files("mail/example.test/alice/new") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(files("mail/example.test/alice/new")).as("delivered within seconds, not in a year").isEqualTo(1);
        } finally {
            restarted.close();
        }
    }

    private PostletServer.Checked install() throws Exception {
        return SpoolInstallation.install(dir, "alice@example.test:{PLAIN}a\n", "{ match: All, class: LogMessage }");
    }

    private static String spoolMessage(FileSpool spool) throws Exception {
        IncomingMessage m = spool.open(new Envelope(Optional.of(MailAddress.parse("s@example.com")),
                List.of(new MailAddress("alice", "example.test")), Map.of(), Map.of(), "client",
                new InetSocketAddress("127.0.0.1", 1), Optional.empty(), Optional.empty(), "mx", Instant.now()));
        m.write(ByteBuffer.wrap("Subject: t\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return m.id();
    }

    private long files(String relative) throws Exception {
        Path d = dir.resolve(relative);
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }
}
