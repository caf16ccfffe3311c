package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/**
 * A command must be complete within the command timeout and a DATA phase within the data timeout,
 * however the client spreads its bytes; a crowded listener uses shorter timeouts (stress mode).
 */
class SessionDeadlineTest {

    private static final String TIMED_OUT = "421 4.4.2 mx.example.test Error: timeout exceeded";

    @Test
    void aCommandTrickledByteByByteTimesOut() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().commandTimeout(Duration.ofMillis(800)).start();
             SmtpTestClient client = server.connect()) {
            long started = System.nanoTime();
            // One byte every 150 ms never lets the connection sit idle for the timeout.
            String reply = trickle(client, "NOOP and a long tail that takes a while to send\r\n", 150);
            assertThat(reply).isEqualTo(TIMED_OUT);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aMessageTrickledLineByLineTimesOutAtTheDataDeadline() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().dataTimeout(Duration.ofMillis(800)).start();
             SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            client.command("MAIL FROM:<a@example.com>");
            client.command("RCPT TO:<alice@example.test>");
            assertThat(client.command("DATA").code()).isEqualTo(354);
            long started = System.nanoTime();
            String reply = null;
            for (int i = 0; i < 40 && reply == null; i++) {
                client.send("line " + i + "\r\n");
                if (!client.silentFor(150)) {
                    reply = client.read().toString();
                }
            }
            assertThat(reply).isEqualTo(TIMED_OUT);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(server.queue().awaitAborted(1)).isEqualTo(1);
        }
    }

    @Test
    void commandsThatCompleteInTimeKeepTheSessionGoingLongerThanOneTimeout() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().commandTimeout(Duration.ofMillis(2500)).start();
             SmtpTestClient client = server.connect()) {
            assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
            long started = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                Thread.sleep(1000);
                assertThat(client.command("NOOP").code()).isEqualTo(250);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(2500));
        }
    }

    /** At 80% of its connection limit a listener gives idle clients the short stress timeout. */
    @Test
    void aCrowdedListenerUsesTheStressTimeout() throws Exception {
        SmtpLimits limits = new SmtpLimits(5, 50, 1000, 20, 3, Duration.ofMillis(10), 10)
                .withStressTimeouts(Duration.ofMillis(500), Duration.ofMillis(500));
        try (SmtpTestServer server = SmtpTestServer.builder().commandTimeout(Duration.ofSeconds(30)).limits(limits).start()) {
            List<SmtpTestClient> crowd = new ArrayList<>();
            try {
                SmtpTestClient calm = server.connect();
                crowd.add(calm);
                // With 1 of 5 open the calm session has its 30 s.
                assertThat(calm.silentFor(900)).isTrue();
                for (int i = 0; i < 3; i++) {
                    crowd.add(server.connect());
                }
                // 4 of 5 open: under stress. A command resets the session's deadline to the stress one.
                assertThat(calm.command("NOOP").code()).isEqualTo(250);
                long started = System.nanoTime();
                assertThat(calm.read().toString()).isEqualTo(TIMED_OUT);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            } finally {
                for (SmtpTestClient c : crowd) {
                    c.close();
                }
            }
        }
    }

    private static String trickle(SmtpTestClient client, String text, int pauseMillis) throws Exception {
        for (char c : text.toCharArray()) {
            try {
                client.send(String.valueOf(c));
            } catch (java.io.IOException closed) {
                break;
            }
            if (!client.silentFor(pauseMillis)) {
                return client.read().toString();
            }
        }
        return client.read().toString();
    }
}
