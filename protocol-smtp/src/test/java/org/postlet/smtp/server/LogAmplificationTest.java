package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.session.SmtpSessionHandler;
import org.postlet.smtp.testing.CapturedLog;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/** A flood of commands gets one log line per kind of trouble, not one per command. */
class LogAmplificationTest {

    @Test
    void tenThousandPipelinedNoopsOverTheLimitAreLoggedOnce() throws Exception {
        SmtpLimits limits = new SmtpLimits(100, 50, 5, 20, 3, Duration.ofMillis(10), 10);
        try (CapturedLog log = new CapturedLog(SmtpSessionHandler.class);
             SmtpTestServer server = SmtpTestServer.builder().limits(limits).start();
             SmtpTestClient client = server.connect()) {
            client.send("NOOP\r\n".repeat(10_000));
            for (int i = 0; i < 5; i++) {
                assertThat(client.read().code()).isEqualTo(250);
            }
            assertThat(client.read().toString()).isEqualTo("421 4.7.0 mx.example.test Error: too many commands");
            assertThat(client.closedByServer()).isTrue();
            awaitDisconnect(log);
            assertThat(log.lines()).filteredOn(l -> l.startsWith("too many commands")).hasSize(1);
        }
    }

    @Test
    void pipelinedGarbageOverTheErrorLimitIsLoggedOnce() throws Exception {
        SmtpLimits limits = new SmtpLimits(100, 50, 100_000, 3, 3, Duration.ofMillis(10), 10);
        try (CapturedLog log = new CapturedLog(SmtpSessionHandler.class);
             SmtpTestServer server = SmtpTestServer.builder().limits(limits).start();
             SmtpTestClient client = server.connect()) {
            client.send("BOGUS\r\n".repeat(5_000));
            for (int i = 0; i < 3; i++) {
                assertThat(client.read().code()).isEqualTo(500);
            }
            assertThat(client.read().toString()).isEqualTo("421 4.7.0 mx.example.test Error: too many errors");
            assertThat(client.closedByServer()).isTrue();
            awaitDisconnect(log);
            assertThat(log.lines()).filteredOn(l -> l.startsWith("too many")).hasSize(1);
        }
    }

    private static void awaitDisconnect(CapturedLog log) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (log.lines().stream().noneMatch(l -> l.startsWith("disconnect")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
