package org.postlet.server.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.IncomingMessage;

/** The DSN parameters (RFC 3461) a client gave survive the spool, for the delivery that uses them later. */
class DsnParametersSpoolTest {

    @TempDir
    Path dir;

    @Test
    void retEnvidNotifyAndOrcptReadBackAsGiven() throws Exception {
        MailAddress alice = MailAddress.parse("alice@example.test");
        MailAddress bob = MailAddress.parse("bob@example.test");
        Map<String, String> mail = Map.of("RET", "HDRS", "ENVID", "QQ+2B314+3Dx", "SMTPUTF8", "");
        Map<MailAddress, Map<String, String>> rcpt = Map.of(
                alice, Map.of("NOTIFY", "FAILURE,DELAY", "ORCPT", "rfc822;Alice+2Bx@example.test"),
                bob, Map.of("NOTIFY", "NEVER", "ORCPT", "utf-8;b\u00f6b@example.test"));
        Envelope envelope = new Envelope(Optional.of(MailAddress.parse("a@example.com")), List.of(alice, bob), mail, rcpt,
                "client.example", new InetSocketAddress("127.0.0.1", 40000), Optional.empty(), Optional.empty(), "mx",
                Instant.parse("2026-12-01T08:00:00Z"));
        FileSpool spool = new FileSpool(dir, new QueueIds(Clock.systemUTC()), Executors.newSingleThreadExecutor(), 0);
        try {
            IncomingMessage m = spool.open(envelope);
            m.write(ByteBuffer.wrap("Subject: x\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)));
            m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
            Envelope back = spool.read(m.id()).envelope();
            assertThat(back.mailParameters()).isEqualTo(mail);
            assertThat(back.recipientParameters()).isEqualTo(rcpt);
        } finally {
            spool.close();
        }
    }
}
