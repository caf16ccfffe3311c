package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postlet.maildir.MaildirStoreDeliveryTest.list;
import static org.postlet.maildir.MaildirStoreDeliveryTest.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.testsupport.Prerequisites;

/**
 * {@link MaildirStore#deliver} returns the fsync of {@code new/} it still owes; {@link MaildirStore#deliverDurably}
 * performs it. Either way the message is renamed complete into {@code new/} and nothing stays in {@code tmp/}.
 */
class DeliveryDurabilityTest {

    private static final MailAddress ALICE = new MailAddress("alice", "example.test");
    private static final String MESSAGE = "Subject: hello\r\n\r\nbody\r\n";

    @TempDir
    Path root;

    private MaildirStore store() {
        return new MaildirStore(root, "%d/%n", "mx.example.test");
    }

    @Test
    void deliverReturnsTheFsyncOfNewItStillOwes() throws IOException {
        DeliveryResult result = store().deliver(new Delivery(ALICE, Optional.of("Junk"), Optional.empty(), text(MESSAGE)));

        Path newDir = root.resolve("example.test/alice/.Junk/new");
        assertThat(result.durable()).isFalse();
        assertThat(result.pendingSync()).contains(new PendingSync(newDir));
        assertThat(result.file()).hasParent(newDir).hasContent("Return-Path: <>\nDelivered-To: alice@example.test\nSubject: hello\n\nbody");
        assertThat(list(newDir.resolveSibling("tmp"))).isEmpty();
    }

    @Test
    void deliverDurablyLeavesNothingPending() throws IOException {
        DeliveryResult result = store().deliverDurably(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));

        assertThat(result.durable()).isTrue();
        assertThat(result.pendingSync()).isEmpty();
        assertThat(list(root.resolve("example.test/alice/new"))).containsExactly(result.file());
        assertThat(list(root.resolve("example.test/alice/tmp"))).isEmpty();
        assertThat(result.size()).isEqualTo(Files.size(result.file()));
    }

    @Test
    void makeDurablePerformsThePendingSyncOnce() throws IOException {
        DeliveryResult pending = store().deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));

        DeliveryResult durable = pending.makeDurable();

        assertThat(durable.durable()).isTrue();
        assertThat(durable.file()).isEqualTo(pending.file());
        assertThat(durable.size()).isEqualTo(pending.size());
        assertThat(durable.makeDurable()).isSameAs(durable);
    }

    @Test
    void aPendingSyncReallyOpensItsDirectory() throws IOException {
        DeliveryResult pending = store().deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));
        PendingSync sync = pending.pendingSync().orElseThrow();
        sync.sync();

        PendingSync gone = new PendingSync(root.resolve("no/such/new"));

        assertThatThrownBy(gone::sync).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void theMessageIsRenamedNotLinked() throws IOException {
        Prerequisites.require(root.getFileSystem().supportedFileAttributeViews().contains("unix"),
                "the temporary folder is on a file system without link counts");

        DeliveryResult result = store().deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));

        assertThat(Files.getAttribute(result.file(), "unix:nlink")).as("no second name left anywhere").isEqualTo(1);
        assertThat(list(root.resolve("example.test/alice/tmp"))).isEmpty();
    }

    @Test
    void aReaderOfNewNeverSeesAPartialFile() throws Exception {
        MaildirStore store = store();
        store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE))); // creates new/
        Path newDir = root.resolve("example.test/alice/new");
        byte[] body = new byte[256 * 1024];
        Arrays.fill(body, (byte) 'x');
        AtomicBoolean delivering = new AtomicBoolean(true);
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> seen = reader.submit(() -> {
                Set<Path> checked = new HashSet<>();
                while (delivering.get()) {
                    for (Path file : list(newDir)) {
                        if (checked.add(file)) {
                            String name = file.getFileName().toString();
                            long announced = Long.parseLong(name.substring(name.indexOf(",S=") + 3));
                            assertThat(Files.size(file)).as(name).isEqualTo(announced);
                        }
                    }
                }
                return checked.size();
            });
            for (int i = 0; i < 40; i++) {
                store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), out -> {
                    out.write("Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                }));
            }
            delivering.set(false);
            assertThat(seen.get(1, TimeUnit.MINUTES)).isPositive();
            assertThat(list(newDir)).hasSize(41);
            assertThat(list(newDir.resolveSibling("tmp"))).isEmpty();
        } finally {
            delivering.set(false);
            reader.shutdownNow();
        }
    }

    @Test
    void aMaildirDeletedBehindTheStoresBackIsCreatedAgain() throws IOException {
        MaildirStore store = store();
        store.deliver(new Delivery(ALICE, Optional.of("Junk"), Optional.empty(), text(MESSAGE)));
        store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));
        Path mailbox = root.resolve("example.test/alice");
        deleteTree(mailbox);

        DeliveryResult inbox = store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));
        DeliveryResult junk = store.deliver(new Delivery(ALICE, Optional.of("Junk"), Optional.empty(), text(MESSAGE)));

        for (Path maildir : List.of(mailbox, mailbox.resolve(".Junk"))) {
            assertThat(maildir.resolve("cur")).isDirectory();
            assertThat(list(maildir.resolve("tmp"))).isEmpty();
        }
        assertThat(list(mailbox.resolve("new"))).containsExactly(inbox.file());
        assertThat(list(mailbox.resolve(".Junk/new"))).containsExactly(junk.file());
        assertThat(mailbox.resolve(".Junk/maildirfolder")).isRegularFile();
    }

    @Test
    void aFolderDeletedBehindTheStoresBackIsCreatedAgainWithItsMarker() throws IOException {
        MaildirStore store = store();
        store.deliver(new Delivery(ALICE, Optional.of("Junk"), Optional.empty(), text(MESSAGE)));
        Path folder = root.resolve("example.test/alice/.Junk");
        deleteTree(folder);

        DeliveryResult again = store.deliver(new Delivery(ALICE, Optional.of("Junk"), Optional.empty(), text(MESSAGE)));

        assertThat(list(folder.resolve("new"))).containsExactly(again.file());
        assertThat(folder.resolve("maildirfolder")).isRegularFile();
        assertThat(folder.resolve("cur")).isDirectory();
    }

    @Test
    void aMaildirReplacedBehindTheStoresBackFailsOnceWithAnActionableError() throws IOException {
        MaildirStore store = store();
        store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));
        Path mailbox = root.resolve("example.test/alice");
        deleteTree(mailbox);
        Files.writeString(mailbox, "not a maildir");

        assertThatThrownBy(() -> store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot deliver to alice@example.test")
                .hasMessageContaining("not a directory");
        assertThat(mailbox).isRegularFile().hasContent("not a maildir");
    }

    private static void deleteTree(Path top) throws IOException {
        try (var all = Files.walk(top)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
