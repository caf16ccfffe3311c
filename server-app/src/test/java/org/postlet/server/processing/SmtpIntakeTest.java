package org.postlet.server.processing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.queue.Lease;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.Origin;
import org.postlet.queue.QueueIds;
import org.postlet.queue.file.FileMailQueue;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.IncomingMessage;

/**
 * What an SMTP session accepted reaches the queue whole: the client as an SMTP origin (never a
 * made-up one), and the DSN parameters (RFC 3461) for the delivery that uses them later, also
 * after a restart.
 */
class SmtpIntakeTest {

    @TempDir
    Path dir;

    @Test
    void theSessionAndTheDsnParametersSurviveTheQueueAndARestart() throws Exception {
        MailAddress alice = MailAddress.parse("alice@example.test");
        MailAddress bob = MailAddress.parse("bob@example.test");
        Map<String, String> mail = Map.of("RET", "HDRS", "ENVID", "QQ+2B314+3Dx", "SMTPUTF8", "");
        Map<MailAddress, Map<String, String>> rcpt = Map.of(
                alice, Map.of("NOTIFY", "FAILURE,DELAY", "ORCPT", "rfc822;Alice+2Bx@example.test"),
                bob, Map.of("NOTIFY", "NEVER", "ORCPT", "utf-8;b\u00f6b@example.test"));
        Envelope envelope = new Envelope(Optional.of(MailAddress.parse("a@example.com")), List.of(alice, bob), mail, rcpt,
                "client.example", new InetSocketAddress("192.0.2.7", 40000), Optional.of("carol@example.test"),
                Optional.of("TLSv1.3 TLS_AES_128_GCM_SHA256"), "submission", Instant.parse("2026-12-01T08:00:00Z"));
        String id;
        try (MailQueue queue = FileMailQueue.open(dir, new QueueIds(Clock.systemUTC()), Clock.systemUTC())) {
            IncomingMessage m = new SmtpIntake(queue).open(envelope);
            m.write(ByteBuffer.wrap("Subject: x\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)));
            m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
            id = m.id();
            Lease lease = queue.take(Duration.ofSeconds(5)).orElseThrow();
            assertThat(lease.id()).isEqualTo(id);
            assertSame(lease.envelope(), mail, rcpt);
        }
        try (MailQueue restarted = FileMailQueue.open(dir, new QueueIds(Clock.systemUTC()), Clock.systemUTC())) {
            Lease again = restarted.take(Duration.ofSeconds(5)).orElseThrow();
            assertThat(again.id()).isEqualTo(id);
            assertThat(again.possibleRedelivery()).as("taken but never acknowledged before the restart").isTrue();
            assertSame(again.envelope(), mail, rcpt);
        }
    }

    private static void assertSame(MailEnvelope back, Map<String, String> mail, Map<MailAddress, Map<String, String>> rcpt) {
        assertThat(back.mailParameters()).isEqualTo(mail);
        assertThat(back.recipientParameters()).isEqualTo(rcpt);
        assertThat(back.origin()).isEqualTo(new Origin.SmtpSession("client.example", "192.0.2.7", 40000,
                Optional.of("carol@example.test"), Optional.of("TLSv1.3 TLS_AES_128_GCM_SHA256"), "submission"));
        assertThat(back.receivedAt()).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
    }
}
