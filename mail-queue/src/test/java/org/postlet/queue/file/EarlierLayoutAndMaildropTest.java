package org.postlet.queue.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.Disposition;
import org.postlet.queue.Lease;
import org.postlet.queue.Origin;
import org.postlet.queue.QueueIds;
import org.postlet.queue.QueueState;

/** The ways mail gets into the queue other than SMTP: the earlier one-file spool, and requeue through the maildrop. */
class EarlierLayoutAndMaildropTest {

    @TempDir
    Path dir;

    @TempDir
    Path repository;

    private static final FileMailQueue.Settings SETTINGS = new FileMailQueue.Settings(1 << 20, 1 << 20, 1 << 20, 0);

    private FileMailQueue open() throws IOException {
        return FileMailQueue.open(dir, new QueueIds(Clock.systemUTC()), Clock.systemUTC(), SETTINGS);
    }

    /** A spool file as FileSpool wrote it: no origin record, sealed. */
    private static byte[] earlierFile(String id, String listener, String body) {
        String header = "POSTLET-SPOOL 2\nid: " + id + "\nstate: root\nsender: a%40example.com\nrecipient: alice%40example.test\n"
                + "recipient: bob%40example.test\nhelo: client.example\nclient-address: 192.0.2.1\nclient-port: 40000\n"
                + "listener: " + listener + "\nreceived-at: 2026-11-30T01:00:00Z\n\n";
        byte[] content = (header + body).getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(content);
        byte[] seal = MailFile.seal(crc.getValue());
        byte[] all = java.util.Arrays.copyOf(content, content.length + seal.length);
        System.arraycopy(seal, 0, all, content.length, seal.length);
        return all;
    }

    @Test
    void mailOfTheEarlierSpoolLayoutIsImportedWithItsRetryStateAndTheFilesGo() throws Exception {
        Path queue = Files.createDirectories(dir.resolve("queue"));
        Path retry = Files.createDirectories(dir.resolve("retry"));
        Files.write(queue.resolve("01AAAAAAAAAA"), earlierFile("01AAAAAAAAAA", "mx", "Subject: a\r\n\r\nfirst\r\n"));
        Files.write(queue.resolve("01BBBBBBBBBB"), earlierFile("01BBBBBBBBBB", "mx", "Subject: b\r\n\r\nsecond\r\n"));
        Files.writeString(retry.resolve("01BBBBBBBBBB"), "attempts: 2\nfirst-failure: 2026-11-30T01:00:00Z\n"
                + "next-attempt: 2099-01-01T00:00:00Z\nreason: 451+later\nremaining: bob%40example.test\n");
        Files.write(queue.resolve("01CCCCCCCCCC"), "POSTLET-SPOOL 2\nid: 01CCCCCCCCCC\nhalf".getBytes(StandardCharsets.US_ASCII));
        byte[] damaged = earlierFile("01DDDDDDDDDD", "mx", "Subject: d\r\n\r\nbroken\r\n");
        damaged[damaged.length - 40] ^= 1;
        Files.write(queue.resolve("01DDDDDDDDDD"), damaged);

        try (FileMailQueue q = open()) {
            Lease a = q.take(Duration.ofSeconds(1)).orElseThrow();
            assertThat(a.id()).isEqualTo("01AAAAAAAAAA");
            assertThat(a.possibleRedelivery()).isTrue();
            assertThat(a.envelope().origin()).isEqualTo(new Origin.SmtpSession("client.example", "192.0.2.1", 40000,
                    Optional.empty(), Optional.empty(), "mx"));
            assertThat(FileMailQueueTest.read(a)).isEqualTo("Subject: a\r\n\r\nfirst\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(q.take(Duration.ofMillis(10))).as("b is deferred").isEmpty();
            var b = q.find("01BBBBBBBBBB").orElseThrow();
            assertThat(b.state()).isEqualTo(QueueState.DEFERRED);
            assertThat(b.recipients()).containsExactly(MailAddress.parse("bob@example.test"));
            assertThat(b.deferral().orElseThrow().attempts()).isEqualTo(2);
            assertThat(b.deferral().orElseThrow().reason()).isEqualTo("451 later");
            assertThat(q.size().mails()).isEqualTo(2);
        }
        assertThat(dir.resolve("queue")).doesNotExist();
        assertThat(dir.resolve("retry")).doesNotExist();
        assertThat(dir.resolve("damaged").resolve("01DDDDDDDDDD")).exists();
        try (FileMailQueue q = open()) {
            assertThat(q.take(Duration.ofSeconds(1)).orElseThrow().id()).as("now from the log").isEqualTo("01AAAAAAAAAA");
            assertThat(q.find("01BBBBBBBBBB").orElseThrow().state()).isEqualTo(QueueState.DEFERRED);
        }
    }

    @Test
    void aKeptMailDroppedWhileTheServerIsDownIsPickedUpAsAPossibleRedelivery() throws Exception {
        Path kept = repository.resolve("01KEPTKEPTKE");
        MailFile.write(kept, "01KEPTKEPTKE", new org.postlet.queue.MailEnvelope(Optional.empty(),
                        List.of(MailAddress.parse("alice@example.test")), new Origin.Requeued("var/error"), Instant.parse("2026-11-30T02:00:00Z")),
                new ProcessingState("transport"), Optional.of("550 no"), Map.of("tries", 4),
                out -> out.write("Subject: kept\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(FileMailQueue.drop(dir, kept)).isEqualTo("01KEPTKEPTKE");
        assertThat(kept).doesNotExist();
        assertThatThrownBy(() -> FileMailQueue.drop(dir, kept)).isInstanceOf(IOException.class);

        try (FileMailQueue q = open()) {
            Lease lease = q.take(Duration.ofSeconds(3)).orElseThrow();
            assertThat(lease.id()).isEqualTo("01KEPTKEPTKE");
            assertThat(lease.possibleRedelivery()).isTrue();
            assertThat(lease.state()).isEqualTo(new ProcessingState("transport"));
            assertThat(lease.attributes()).isEqualTo(Map.of("tries", 4));
            assertThat(lease.envelope().origin()).isEqualTo(new Origin.Requeued("var/error"));
            assertThat(FileMailQueueTest.read(lease)).isEqualTo("Subject: kept\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            try (var left = Files.list(dir.resolve(FileMailQueue.MAILDROP))) {
                assertThat(left).isEmpty();
            }
            q.acknowledge(lease, Disposition.done()).toCompletableFuture().get();

            // and while it runs: picked up within a second or two
            Path again = repository.resolve("01AGAINAGAIN");
            Files.write(again, earlierFile("01AGAINAGAIN", "repository", "Subject: again\r\n\r\n"));
            FileMailQueue.drop(dir, again);
            Lease second = q.take(Duration.ofSeconds(3)).orElseThrow();
            assertThat(second.id()).isEqualTo("01AGAINAGAIN");
            assertThat(second.envelope().origin()).isEqualTo(new Origin.Requeued(MailFile.UNKNOWN_REPOSITORY));
        }
    }

    @Test
    void aDamagedFileIsNotDropped() throws Exception {
        Path kept = repository.resolve("01KEPTKEPTKE");
        byte[] bytes = earlierFile("01KEPTKEPTKE", "repository", "Subject: x\r\n\r\nbody\r\n");
        bytes[bytes.length - 30] ^= 1;
        Files.write(kept, bytes);
        assertThatThrownBy(() -> FileMailQueue.drop(dir, kept)).isInstanceOf(IOException.class).hasMessageContaining("damaged");
        assertThat(kept).exists();
    }
}
