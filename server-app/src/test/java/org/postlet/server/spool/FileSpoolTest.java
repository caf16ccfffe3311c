package org.postlet.server.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

class FileSpoolTest {

    @TempDir
    Path dir;

    private static final Envelope ENVELOPE = new Envelope(Optional.of(MailAddress.parse("a@example.com")),
            List.of(MailAddress.parse("alice@example.test"), MailAddress.parse("\"odd: name\"@example.test")),
            Map.of("BODY", "8BITMIME", "SMTPUTF8", ""),
            Map.of(MailAddress.parse("alice@example.test"), Map.of("NOTIFY", "SUCCESS,FAILURE", "ORCPT", "rfc822;alice@example.test")),
            "client.example\u00e9", new InetSocketAddress("127.0.0.1", 40000),
            Optional.of("alice@example.test"), Optional.of("TLSv1.3 TLS_AES_128_GCM_SHA256"), "mx", Instant.parse("2026-11-30T01:00:00Z"));

    private FileSpool spool(long minFree) throws IOException {
        return new FileSpool(dir, new QueueIds(Clock.systemUTC()), Executors.newSingleThreadExecutor(), minFree);
    }

    @Test
    void committedMessageIsQueuedAndReadsBackExactly() throws Exception {
        FileSpool spool = spool(0);
        IncomingMessage m = spool.open(ENVELOPE);
        byte[] body = "Subject: x\r\n\r\nline\r\n.leading dot\r\n".getBytes(StandardCharsets.US_ASCII);
        m.write(ByteBuffer.wrap(body));
        assertThat(spool.take(10, TimeUnit.MILLISECONDS)).as("not offered before its commit").isNull();
        m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(spool.take(1, TimeUnit.SECONDS)).isEqualTo(m.id());
        SpoolEntry e = spool.read(m.id());
        assertThat(e.envelope()).isEqualTo(new Envelope(ENVELOPE.sender(), ENVELOPE.recipients(), ENVELOPE.mailParameters(),
                ENVELOPE.recipientParameters(), ENVELOPE.heloName(), InetSocketAddress.createUnresolved("127.0.0.1", 40000),
                ENVELOPE.authenticatedUser(), ENVELOPE.tls(), "mx", ENVELOPE.receivedAt()));
        assertThat(e.messageSize()).isEqualTo(body.length);
        byte[] all = Files.readAllBytes(e.file());
        assertThat(new String(all, (int) e.messageOffset(), body.length, StandardCharsets.US_ASCII))
                .isEqualTo(new String(body, StandardCharsets.US_ASCII));
        assertThat(new String(all, StandardCharsets.US_ASCII)).as("sealed").containsPattern("\n%%POSTLET-END [0-9a-f]{8}\n$");
        assertThat(SpoolFormat.sealed(e.file())).isTrue();
        spool.remove(m.id());
        assertThat(Files.list(dir.resolve("queue"))).isEmpty();
        spool.close();
    }

    @Test
    void abortedMessageLeavesNothing() throws Exception {
        FileSpool spool = spool(0);
        IncomingMessage m = spool.open(ENVELOPE);
        m.write(ByteBuffer.wrap(new byte[100]));
        m.abort();
        assertThat(Files.list(dir.resolve("queue"))).isEmpty();
        assertThat(spool.take(10, TimeUnit.MILLISECONDS)).isNull();
        spool.close();
    }

    @Test
    void restartQueuesCommittedMailAndDropsUnacknowledgedOnes() throws Exception {
        FileSpool first = spool(0);
        IncomingMessage done = first.open(ENVELOPE);
        done.write(ByteBuffer.wrap("x\r\n".getBytes(StandardCharsets.US_ASCII)));
        done.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
        IncomingMessage partial = first.open(ENVELOPE);
        partial.write(ByteBuffer.wrap("half".getBytes(StandardCharsets.US_ASCII)));
        // the process dies here: no commit, no abort (closing only releases the spool for the next one)
        first.close();

        FileSpool second = spool(0);
        assertThat(second.take(1, TimeUnit.SECONDS)).isEqualTo(done.id());
        assertThat(second.take(10, TimeUnit.MILLISECONDS)).isNull();
        assertThat(Files.list(dir.resolve("queue"))).as("the unsealed one is discarded")
                .extracting(p -> p.getFileName().toString()).containsExactly(done.id());
        second.close();
    }

    @Test
    void refusesNewMailWhenTheDiskIsNearlyFull() throws Exception {
        FileSpool spool = spool(Long.MAX_VALUE);
        assertThatThrownBy(() -> spool.open(ENVELOPE)).isInstanceOf(IOException.class).hasMessageContaining("free");
        spool.close();
    }

    @Test
    void queueIdsIncreaseAndSortAsStrings() {
        QueueIds ids = new QueueIds(Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), java.time.ZoneOffset.UTC));
        String a = ids.next();
        String b = ids.next();
        assertThat(a).hasSize(12).matches("[0-9A-Z]+");
        assertThat(b).isGreaterThan(a);
    }

    @Test
    void aFileWhoseSealDoesNotMatchIsNotTakenAsAMail() throws Exception {
        FileSpool first = spool(0);
        IncomingMessage m = first.open(ENVELOPE);
        m.write(ByteBuffer.wrap("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        m.commit().toCompletableFuture().get(5, TimeUnit.SECONDS);
        first.close();
        Path file = dir.resolve("queue").resolve(m.id());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 30] ^= 1; // a block that never reached the disk
        Files.write(file, bytes);

        FileSpool second = spool(0);
        assertThat(second.take(10, TimeUnit.MILLISECONDS)).isNull();
        assertThat(Files.list(dir.resolve("queue"))).isEmpty();
        second.close();
    }

    @Test
    void aSpoolOpenInOneServerCannotBeOpenedByAnother() throws Exception {
        FileSpool first = spool(0);
        assertThatThrownBy(() -> spool(0)).isInstanceOf(SpoolInUseException.class)
                .hasMessage("spool " + dir + " is in use by another Postlet (pid " + ProcessHandle.current().pid()
                        + "); stop it or give this one its own spool");
        first.close();
        FileSpool next = spool(0); // released at close
        next.close();
    }
}
