package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.queue.QueueState;
import org.postlet.queue.QueuedMailSummary;
import org.postlet.server.PostletServer;

/**
 * The spool's or the Maildir's disk failing under a running server: turned read-only, or
 * returning EIO when data is written back. Every case ends in a temporary failure (4xx, the
 * client sends again) or a mail kept in the spool for a later attempt: never a 250 for mail that
 * is not stored, never an acknowledged mail lost, never one delivered twice. The disks are
 * mounted for the test (see {@link ScratchDisk}).
 */
class StorageFaultsIT {

    private static final String FROM = "sender@example.org";

    @TempDir
    Path dir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void aSpoolTurnedReadOnlyGets4xxNeverA250AndMailIsAcceptedAgainOnceWritable() throws Exception {
        ScratchDisk disk = track(ScratchDisk.ext4(dir.resolve("spooldisk"), "256m"));
        Installation inst = Installation.create(dir, 0, Installation.DEFAULT_PIPELINE, disk.path().resolve("spool"), dir.resolve("mail"));
        PostletServer server = startDelivering(inst);

        disk.failIntoReadOnly(); // what ext4 does on a disk error, with the spool's files open
        List<RawSmtp.Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            outcomes.add(send(server, "during"));
        }
        assertThat(outcomes).as("messages while the spool is read-only")
                .allMatch(o -> o == null || o.code() >= 400 && o.code() < 500, "a 4xx or a dropped connection, never 250 or 5xx");
        server.close();
        cleanup.remove(server);

        disk.remount(); // the operator's repair
        server = track(PostletServer.start(inst.conf, dir));
        assertThat(send(server, "during")).as("the client's retry, once writable").matches(RawSmtp.Outcome::accepted);
        assertThat(subjectsDelivered(inst, "alice", 2)).containsExactlyInAnyOrder("before", "during");
        Thread.sleep(500);
        assertThat(Installation.messages(inst.inbox("alice"))).as("nothing more").hasSize(2);
    }

    @Test
    void aReadOnlyMaildirKeepsTheMailInTheSpoolAndDeliversItOnceWhenWritable() throws Exception {
        ScratchDisk disk = track(ScratchDisk.tmpfs(dir.resolve("maildisk"), "16m"));
        Installation inst = Installation.create(dir, 0, Installation.DEFAULT_PIPELINE, dir.resolve("spool"), disk.path().resolve("mail"));
        PostletServer server = startDelivering(inst);

        disk.remountReadOnly();
        assertThat(send(server, "during")).as("the spool is fine: accepted").matches(RawSmtp.Outcome::accepted);
        awaitDeferred(server);
        assertThat(Installation.messages(inst.inbox("alice"))).as("nothing delivered while read-only").hasSize(1);

        disk.remountReadWrite();
        assertThat(subjectsDelivered(inst, "alice", 2)).containsExactlyInAnyOrder("before", "during");
        awaitEmptyQueue(server);
        assertThat(Installation.messages(inst.inbox("alice"))).as("each exactly once").hasSize(2);
    }

    @Test
    void eioWhenTheSpoolIsSyncedGets4xxNeverA250() throws Exception {
        ScratchDisk disk = track(ScratchDisk.ext4(dir.resolve("spooldisk"), "256m"));
        Installation inst = Installation.create(dir, 0, Installation.DEFAULT_PIPELINE, disk.path().resolve("spool"), dir.resolve("mail"));
        PostletServer server = startDelivering(inst);

        disk.failBlocksBeyond("8m");
        List<RawSmtp.Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            outcomes.add(send(server, "during " + i));
        }

        assertThat(outcomes).as("messages while the spool's disk fails")
                .allMatch(o -> o == null || o.code() >= 400 && o.code() < 500, "a 4xx or a dropped connection, never 250 or 5xx");
        Thread.sleep(1000);
        assertThat(subjectsDelivered(inst, "alice", 1)).as("nothing unacknowledged is delivered").containsExactly("before");
    }

    @Test
    void eioWhenADeliveryIsSyncedKeepsTheMailForALaterAttempt() throws Exception {
        ScratchDisk disk = track(ScratchDisk.ext4(dir.resolve("maildisk"), "256m"));
        Installation inst = Installation.create(dir, 0, Installation.DEFAULT_PIPELINE, dir.resolve("spool"), disk.path().resolve("mail"));
        PostletServer server = startDelivering(inst);

        disk.failBlocksBeyond("8m");
        assertThat(send(server, "during")).as("the spool is fine: accepted").matches(RawSmtp.Outcome::accepted);
        String kept = awaitDeferred(server);
        server.close();
        cleanup.remove(server);

        // The operator moves the Maildirs to a working disk: the kept mail is delivered there, once.
        Path newMaildir = dir.resolve("mail-moved");
        Path config = inst.conf.resolve("postlet.yaml");
        Files.writeString(config, Files.readString(config).replace(disk.path().resolve("mail").toAbsolutePath().toString(),
                newMaildir.toString()));
        Installation moved = Installation.create(dir.resolve("moved"), 0, Installation.DEFAULT_PIPELINE, inst.spool, newMaildir);
        PostletServer restarted = track(PostletServer.start(moved.conf, dir.resolve("moved")));
        assertThat(subjectsDelivered(moved, "alice", 1)).containsExactly("during");
        awaitEmptyQueue(restarted);
        assertThat(restarted.queue().find(kept)).isEmpty();
    }

    /** Starts the server and checks that mail goes through before the fault. */
    private PostletServer startDelivering(Installation inst) throws Exception {
        PostletServer server = track(PostletServer.start(inst.conf, dir));
        assertThat(send(server, "before")).as("before the fault").matches(RawSmtp.Outcome::accepted);
        subjectsDelivered(inst, "alice", 1);
        return server;
    }

    private <T extends AutoCloseable> T track(T resource) {
        cleanup.add(resource);
        return resource;
    }

    /** Sends one message to alice; null if the connection broke (no reply to decide on). */
    private static RawSmtp.Outcome send(PostletServer server, String subject) {
        try (RawSmtp smtp = new RawSmtp(server.port("mx"), 15_000)) {
            return smtp.send(FROM, List.of("alice@example.test"), "Subject: " + subject + "\r\n\r\nbody of " + subject + "\r\n");
        } catch (IOException e) {
            return null;
        }
    }

    /** The subjects of alice's messages, once there are {@code count}. */
    private static List<String> subjectsDelivered(Installation inst, String user, int count) throws Exception {
        List<String> subjects = new ArrayList<>();
        for (Path p : Installation.awaitMessages(inst.inbox(user), count, Duration.ofSeconds(30))) {
            String text = Files.readString(p, StandardCharsets.ISO_8859_1);
            int s = text.indexOf("Subject: ");
            subjects.add(text.substring(s + 9, text.indexOf('\n', s)).strip());
        }
        return subjects;
    }

    /** Waits until a mail is deferred (it stays queued, waiting for its next attempt); returns its id. */
    private static String awaitDeferred(PostletServer server) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<QueuedMailSummary> deferred = server.queue().browse().stream()
                    .filter(m -> m.state() == QueueState.DEFERRED).toList();
            if (!deferred.isEmpty()) {
                return deferred.get(0).id();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail was deferred within 20 s; queue: " + server.queue().browse());
    }

    private static void awaitEmptyQueue(PostletServer server) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!server.queue().browse().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.queue().browse()).as("queue").isEmpty();
    }
}
