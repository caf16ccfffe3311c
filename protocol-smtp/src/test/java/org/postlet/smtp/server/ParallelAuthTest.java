package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/**
 * The per-address AUTH limit holds for sessions in parallel: an attempt counts when it starts, so
 * 45 sessions at once get no more passwords checked than the limit.
 */
class ParallelAuthTest {

    private static final int SESSIONS = 45;
    private static final int PER_CLIENT = 10;

    @Test
    void parallelSessionsGetNoMorePasswordsCheckedThanTheLimit() throws Exception {
        SmtpLimits limits = new SmtpLimits(1000, 100, 1000, 20, 3, Duration.ofMillis(10), PER_CLIENT);
        try (SmtpTestServer server = SmtpTestServer.builder().auth(AuthMode.OPTIONAL).limits(limits).start()) {
            // A slow check (a real password hash takes time) lets every session start before one fails.
            server.authenticator().answerAfter(Duration.ofMillis(500));
            String wrong = "AUTH PLAIN " + Base64.getEncoder().encodeToString(
                    "\0alice@example.test\0guess".getBytes(StandardCharsets.UTF_8));
            ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
            CountDownLatch ready = new CountDownLatch(SESSIONS);
            List<Future<Integer>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < SESSIONS; i++) {
                    answers.add(pool.submit(() -> {
                        try (SmtpTestClient client = server.connect()) {
                            client.command("EHLO guesser.example");
                            ready.countDown();
                            ready.await(10, TimeUnit.SECONDS);
                            return client.command(wrong).code();
                        }
                    }));
                }
                int refusedUnchecked = 0;
                for (Future<Integer> answer : answers) {
                    int code = answer.get(30, TimeUnit.SECONDS);
                    assertThat(code).isIn(535, 454);
                    refusedUnchecked += code == 454 ? 1 : 0;
                }
                assertThat(server.authenticator().calls()).isEqualTo(PER_CLIENT);
                assertThat(refusedUnchecked).isEqualTo(SESSIONS - PER_CLIENT);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
