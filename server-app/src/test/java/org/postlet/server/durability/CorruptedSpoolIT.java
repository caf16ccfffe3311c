package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.server.spool.FileSpool;
import org.postlet.server.spool.QueueIds;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.IncomingMessage;

/**
 * Spool files damaged while the server was down (a torn write, a flipped bit on the disk): at
 * start each is named in the log and never delivered, a complete file whose content no longer
 * matches its seal is moved to {@code damaged/} for an operator, and the good file next to them is
 * delivered. Runs the real launcher, as an operator restarts the server.
 */
class CorruptedSpoolIT {

    @TempDir
    Path dir;

    @Test
    void damagedSpoolFilesAreNeverDeliveredAndTheGoodOneIs() throws Exception {
        Installation inst = Installation.create(dir, 0, Installation.DEFAULT_PIPELINE);
        String good;
        String truncated;
        String flipped;
        FileSpool spool = new FileSpool(inst.spool, new QueueIds(Clock.systemUTC()), Executors.newSingleThreadExecutor());
        try {
            good = spool(spool, "good");
            truncated = spool(spool, "truncated");
            flipped = spool(spool, "flipped");
        } finally {
            spool.close();
        }
        Path queue = inst.spool.resolve("queue");
        byte[] t = Files.readAllBytes(queue.resolve(truncated));
        Files.write(queue.resolve(truncated), java.util.Arrays.copyOf(t, t.length - 40)); // the tail never reached the disk
        byte[] f = Files.readAllBytes(queue.resolve(flipped));
        int body = new String(f, StandardCharsets.ISO_8859_1).indexOf("body of flipped");
        f[body] ^= 0x20; // one bit, in the message
        Files.write(queue.resolve(flipped), f);

        PostletProcess server = PostletProcess.start(inst.conf, dir.resolve("server.log"), Duration.ofSeconds(120));
        try {
            List<Path> delivered = Installation.awaitMessages(inst.inbox("alice"), 1, Duration.ofSeconds(30));
            Thread.sleep(1000); // time to deliver anything else it wrongly took
            delivered = Installation.messages(inst.inbox("alice"));
            assertThat(delivered).hasSize(1);
            assertThat(Files.readString(delivered.get(0), StandardCharsets.ISO_8859_1)).contains("Subject: good");
            assertThat(Installation.messages(inst.inbox("alice"))).hasSize(1);
            assertThat(inst.spoolFiles("queue")).as("queue after start").isEmpty();
            assertThat(inst.spoolFiles("damaged")).as("the file whose seal no longer matches, kept").containsExactly(flipped);

            String log = Files.readString(server.log(), StandardCharsets.UTF_8);
            assertThat(log).contains("spool: discarding " + truncated + ",")
                    .contains("spool: " + flipped + " is damaged");
            assertThat(log).doesNotContain("accepted " + truncated).doesNotContain(good + " is damaged");
        } finally {
            server.destroyQuietly();
        }
    }

    private static String spool(FileSpool spool, String subject) throws Exception {
        Envelope envelope = new Envelope(Optional.of(MailAddress.parse("sender@example.org")),
                List.of(MailAddress.parse("alice@example.test")), Map.of(), Map.of(), "client.example",
                new InetSocketAddress("127.0.0.1", 4242), Optional.empty(), Optional.empty(), "mx", Instant.now());
        IncomingMessage m = spool.open(envelope);
        m.write(ByteBuffer.wrap(("Subject: " + subject + "\r\n\r\nbody of " + subject + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        m.commit().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return m.id();
    }
}
