package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.Origin;
import org.postlet.queue.QueueIds;
import org.postlet.queue.file.FileMailQueue;

/**
 * The queue's log damaged while the server was down (a torn write at its end, a flipped bit on the
 * disk): at start the torn record is cut off (its client never got a 250), the damaged one is
 * copied to {@code damaged/} for an operator and named in the log, neither is ever delivered, and
 * the good mail before them is. Runs the real launcher, as an operator restarts the server.
 */
class CorruptedSpoolIT {

    @TempDir
    Path dir;

    @Test
    void aDamagedOrTornRecordIsNeverDeliveredAndTheGoodOneIs() throws Exception {
        Installation inst = Installation.create(dir, 0, Installation.DEFAULT_PIPELINE);
        String good;
        String flipped;
        String torn;
        try (MailQueue queue = FileMailQueue.open(inst.spool, new QueueIds(Clock.systemUTC()), Clock.systemUTC())) {
            good = enqueue(queue, "good");
            flipped = enqueue(queue, "flipped");
            torn = enqueue(queue, "torn");
        }
        List<Path> segments;
        try (Stream<Path> s = Files.list(inst.spool.resolve("log"))) {
            segments = s.toList();
        }
        assertThat(segments).as("one log segment").hasSize(1);
        Path segment = segments.get(0);
        byte[] bytes = Files.readAllBytes(segment);
        int body = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("body of flipped");
        bytes[body] ^= 0x20; // one bit, in the message
        Files.write(segment, java.util.Arrays.copyOf(bytes, bytes.length - 40)); // the tail never reached the disk

        PostletProcess server = PostletProcess.start(inst.conf, dir.resolve("server.log"), Duration.ofSeconds(120));
        try {
            Installation.awaitMessages(inst.inbox("alice"), 1, Duration.ofSeconds(30));
            inst.awaitEmptyQueue(Duration.ofSeconds(30));
            Thread.sleep(1000); // time to deliver anything else it wrongly took
            List<Path> delivered = Installation.messages(inst.inbox("alice"));
            assertThat(delivered).hasSize(1);
            assertThat(Files.readString(delivered.get(0), StandardCharsets.ISO_8859_1)).contains("Subject: good");
            assertThat(inst.spoolFiles("damaged")).as("the damaged record, kept for an operator").hasSize(1);
            String kept = Files.readString(inst.spool.resolve("damaged").resolve(inst.spoolFiles("damaged").get(0)),
                    StandardCharsets.ISO_8859_1);
            assertThat(kept).contains("body of flipped".replace('b', 'B'));

            String log = Files.readString(server.log(), StandardCharsets.UTF_8);
            assertThat(log).contains("are damaged").contains("cutting ");
            assertThat(log).doesNotContain("accepted " + torn).doesNotContain(good + " is damaged").doesNotContain(flipped + ": delivered");
        } finally {
            server.destroyQuietly();
        }
    }

    private static String enqueue(MailQueue queue, String subject) throws Exception {
        MailQueue.Enqueuing m = queue.enqueue(new MailEnvelope(Optional.of(MailAddress.parse("sender@example.org")),
                List.of(MailAddress.parse("alice@example.test")),
                new Origin.SmtpSession("client.example", "127.0.0.1", 4242, Optional.empty(), Optional.empty(), "mx"),
                Instant.now()));
        m.write(ByteBuffer.wrap(("Subject: " + subject + "\r\n\r\nbody of " + subject + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        m.commit().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return m.id();
    }
}
