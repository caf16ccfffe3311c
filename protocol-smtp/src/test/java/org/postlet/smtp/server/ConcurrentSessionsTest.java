package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/**
 * Holds many sessions open at once, each in the middle of a transaction, then completes them all.
 * Not a timing test: it checks that every session finishes and prints the heap the server used,
 * for the note.
 */
class ConcurrentSessionsTest {

    private static final int SESSIONS = 500;

    @Test
    void fiveHundredConcurrentSessionsEachDeliverAMessage() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        SmtpLimits roomy = new SmtpLimits(SESSIONS + 10, SESSIONS + 10, 1000, 20, 3, Duration.ofMillis(10), 10);
        try (SmtpTestServer server = SmtpTestServer.builder().maxMessageSize(100_000).limits(roomy).start()) {
            long before = usedHeap(memory);
            List<SmtpTestClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < SESSIONS; i++) {
                    SmtpTestClient client = server.connect();
                    clients.add(client);
                    // Pipelined up to DATA (RFC 2920).
                    client.send("EHLO c" + i + ".example\r\nMAIL FROM:<s" + i + "@example.com>\r\n"
                            + "RCPT TO:<alice@example.test>\r\nDATA\r\n");
                }
                for (SmtpTestClient client : clients) {
                    assertThat(client.read().code()).isEqualTo(250);
                    assertThat(client.read().code()).isEqualTo(250);
                    assertThat(client.read().code()).isEqualTo(250);
                    assertThat(client.read().code()).isEqualTo(354);
                    client.send("Subject: load\r\n\r\n" + "x".repeat(2000) + "\r\n");
                }
                // Every session is open, in DATA, with part of its message received.
                long during = usedHeap(memory);
                for (SmtpTestClient client : clients) {
                    assertThat(client.command(".").code()).isEqualTo(250);
                }
                assertThat(server.queue().await(SESSIONS)).hasSize(SESSIONS);
                System.out.printf("[concurrency] %d concurrent SMTP sessions, each mid-DATA: heap used %.1f MB before,"
                                + " %.1f MB with all sessions open (%.1f KB per session, including the test's own"
                                + " clients and in-memory queue)%n", SESSIONS, before / 1e6, during / 1e6,
                        (during - before) / 1e3 / SESSIONS);
            } finally {
                for (SmtpTestClient client : clients) {
                    client.close();
                }
            }
        }
    }

    private static long usedHeap(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
