package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;

/**
 * A delivery cut short by {@code kill -9} leaves its partial file in {@code tmp/}. Such files are
 * removed once they are older than 36 hours (Dovecot's rule: no delivery takes that long) when the
 * maildir is next delivered to; younger ones may still be written and stay.
 */
class StaleTmpTest {

    @TempDir
    Path root;

    private final MailAddress alice = new MailAddress("alice", "example.test");

    private Delivery delivery() {
        return new Delivery(alice, Optional.empty(), Optional.empty(),
                out -> out.write("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void partialFilesOlderThan36HoursAreRemovedWhenTheMaildirIsDeliveredTo() throws Exception {
        Path tmp = Files.createDirectories(root.resolve("example.test/alice/tmp"));
        Path inbox = tmp.getParent();
        Path junkTmp = Files.createDirectories(inbox.resolve(".Junk/tmp"));
        Path stale = write(tmp.resolve("1700000000.P1.old"), Duration.ofHours(37));
        Path recent = write(tmp.resolve("1700000000.P1.recent"), Duration.ofHours(35));
        Path staleInJunk = write(junkTmp.resolve("1700000000.P1.old"), Duration.ofHours(40));

        MaildirStore store = new MaildirStore(root, "%d/%n", "mx.example.test");
        store.deliver(delivery());

        assertThat(stale).as("a partial file from 37 hours ago").doesNotExist();
        assertThat(recent).as("a file written 35 hours ago may still be a delivery in progress").exists();
        assertThat(staleInJunk).as("a folder not delivered to is left for its own next delivery").exists();
        assertThat(Files.list(inbox.resolve("new"))).hasSize(1);
        assertThat(Files.list(tmp)).containsExactly(recent);
    }

    @Test
    void aMaildirIsSweptAtMostOnceAnHour() throws Exception {
        Path tmp = Files.createDirectories(root.resolve("example.test/alice/tmp"));
        MaildirStore store = new MaildirStore(root, "%d/%n", "mx.example.test");
        store.deliver(delivery());
        Path staleAfterTheSweep = write(tmp.resolve("1700000000.P1.later"), Duration.ofHours(48));

        store.deliver(delivery());

        assertThat(staleAfterTheSweep).as("not looked for again within the hour").exists();
    }

    private static Path write(Path file, Duration age) throws Exception {
        Files.writeString(file, "partial", StandardCharsets.US_ASCII);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }
}
