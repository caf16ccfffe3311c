package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.testsupport.Prerequisites;
import org.postlet.mailet.MailAddress;

class MaildirStoreDeliveryTest {

    private static final MailAddress ALICE = new MailAddress("alice", "example.test");
    private static final MailAddress SENDER = new MailAddress("a", "b");
    private static final String MESSAGE = "Subject: hello\r\n\r\nline one\r\nline two\r\n";

    @TempDir
    Path temp;

    private Path root() {
        return temp.resolve("mail");
    }

    private MaildirStore store() {
        return new MaildirStore(root(), "%d/%n", "mx.example.test");
    }

    @Test
    void firstDeliveryCreatesTheMaildirAndOneFileInNew() throws IOException {
        DeliveryResult result = store().deliver(new Delivery(ALICE, Optional.empty(), Optional.of(SENDER), text(MESSAGE)));

        Path mailbox = root().resolve("example.test").resolve("alice");
        assertThat(mailbox.resolve("tmp")).isDirectory();
        assertThat(mailbox.resolve("new")).isDirectory();
        assertThat(mailbox.resolve("cur")).isDirectory();
        assertThat(mailbox.resolve("maildirfolder")).as("only sub-folders are marked").doesNotExist();
        assertThat(list(mailbox.resolve("tmp"))).isEmpty();
        assertThat(list(mailbox.resolve("new"))).containsExactly(result.file());
        assertThat(result.recipient()).isEqualTo(ALICE);
        assertThat(new String(Files.readAllBytes(result.file()), StandardCharsets.UTF_8))
                .isEqualTo("Return-Path: <a@b>\nDelivered-To: alice@example.test\n"
                        + "Subject: hello\n\nline one\nline two\n");
    }

    @Test
    void fileNameFollowsTheMaildirSpecAndCarriesTheSize() throws IOException {
        DeliveryResult result = store().deliver(new Delivery(ALICE, Optional.empty(), Optional.of(SENDER), text(MESSAGE)));

        String name = result.file().getFileName().toString();
        assertThat(name).matches("\\d{10,}\\.M\\d{1,6}P" + ProcessHandle.current().pid() + "Q\\d+\\.mx\\.example\\.test,S=\\d+");
        long onDisk = Files.size(result.file());
        assertThat(name).endsWith(",S=" + onDisk);
        assertThat(result.size()).isEqualTo(onDisk);
    }

    @Test
    void slashAndColonInTheHostnameAreEscaped() throws IOException {
        MaildirStore store = new MaildirStore(root(), "%d/%n", "odd/host:name");

        DeliveryResult result = store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));

        assertThat(result.file().getFileName().toString()).contains(".odd\\057host\\072name,S=");
    }

    @Test
    void nullSenderGivesAnEmptyReturnPath() throws IOException {
        DeliveryResult result = store().deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));

        assertThat(new String(Files.readAllBytes(result.file()), StandardCharsets.UTF_8))
                .startsWith("Return-Path: <>\nDelivered-To: alice@example.test\nSubject: hello\n");
    }

    @Test
    void bodyBytesAreExactApartFromCrlf() throws IOException {
        byte[] body = new byte[256 + 4];
        for (int i = 0; i < 256; i++) {
            body[i] = (byte) i; // includes a bare CR (13) followed by 14, and a bare LF (10) after 9
        }
        body[256] = '\r';
        body[257] = '\n';
        body[258] = '\r';
        body[259] = '\r';
        MaildirStore store = store();

        DeliveryResult result = store.deliver(new Delivery(ALICE, Optional.empty(), Optional.of(SENDER),
                out -> {
                    // Byte by byte: every CRLF is split across writes.
                    for (byte b : body) {
                        out.write(b);
                    }
                }));

        byte[] expectedBody = new byte[body.length - 1];
        System.arraycopy(body, 0, expectedBody, 0, 256);
        expectedBody[256] = '\n';
        expectedBody[257] = '\r';
        expectedBody[258] = '\r';
        byte[] header = "Return-Path: <a@b>\nDelivered-To: alice@example.test\n".getBytes(StandardCharsets.US_ASCII);
        byte[] file = Files.readAllBytes(result.file());
        assertThat(file).startsWith(header);
        assertThat(java.util.Arrays.copyOfRange(file, header.length, file.length)).isEqualTo(expectedBody);
        assertThat(result.size()).isEqualTo(file.length);
    }

    @Test
    void upperCaseAddressIsStoredInTheLowerCaseMailbox() throws IOException {
        MailAddress upper = new MailAddress("ALICE", "EXAMPLE.TEST");

        DeliveryResult result = store().deliver(new Delivery(upper, Optional.empty(), Optional.empty(), text(MESSAGE)));

        assertThat(result.file().getParent()).isEqualTo(root().toAbsolutePath().resolve("example.test/alice/new"));
    }

    @Test
    void maildirPlusPlusFolder() throws IOException {
        MaildirStore store = store();

        DeliveryResult junk = store.deliver(new Delivery(ALICE, Optional.of("Junk"), Optional.empty(), text(MESSAGE)));
        DeliveryResult nested = store.deliver(new Delivery(ALICE, Optional.of("Work.Projects"), Optional.empty(), text(MESSAGE)));

        Path mailbox = root().resolve("example.test").resolve("alice");
        assertThat(junk.file().getParent()).isEqualTo(mailbox.toAbsolutePath().resolve(".Junk/new"));
        assertThat(mailbox.resolve(".Junk/maildirfolder")).isRegularFile().isEmptyFile();
        assertThat(mailbox.resolve(".Junk/tmp")).isDirectory();
        assertThat(mailbox.resolve(".Junk/cur")).isDirectory();
        assertThat(nested.file().getParent()).isEqualTo(mailbox.toAbsolutePath().resolve(".Work.Projects/new"));
        assertThat(mailbox.resolve(".Work.Projects/maildirfolder")).isRegularFile();
        assertThat(mailbox.resolve("new")).as("the INBOX is a maildir too").isDirectory();
        assertThat(list(mailbox.resolve("new"))).isEmpty();
    }

    @Test
    void inboxFolderIsTheMailboxItself() throws IOException {
        DeliveryResult result = store().deliver(new Delivery(ALICE, Optional.of("INBOX"), Optional.empty(), text(MESSAGE)));

        assertThat(result.file().getParent()).isEqualTo(root().toAbsolutePath().resolve("example.test/alice/new"));
    }

    @Test
    void fullAddressLayoutDelivers() throws IOException {
        MaildirStore store = new MaildirStore(root(), "%u", "mx.example.test");

        DeliveryResult result = store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE)));

        assertThat(result.file().getParent()).isEqualTo(root().toAbsolutePath().resolve("alice@example.test/new"));
    }

    @Test
    void writerFailingHalfWayLeavesNothingBehind() throws IOException {
        MaildirStore store = store();
        MessageContent failing = out -> {
            out.write("Subject: half\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[200_000]);
            throw new IOException("spool file unreadable");
        };

        assertThatThrownBy(() -> store.deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), failing)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("alice@example.test")
                .hasMessageContaining("spool file unreadable")
                .hasRootCauseMessage("spool file unreadable");

        Path mailbox = root().resolve("example.test").resolve("alice");
        assertThat(list(mailbox.resolve("new"))).isEmpty();
        assertThat(list(mailbox.resolve("tmp"))).isEmpty();
    }

    @Test
    void writerThrowingAnUncheckedExceptionLeavesNothingBehindAndKeepsTheException() {
        MaildirStore store = store();
        IllegalStateException bug = new IllegalStateException("bug in the writer");
        MessageContent failing = out -> {
            out.write("Subject: half\r".getBytes(StandardCharsets.US_ASCII));
            throw bug;
        };

        assertThatThrownBy(() -> store.deliver(new Delivery(ALICE, Optional.of("Junk"), Optional.empty(), failing)))
                .isSameAs(bug);

        Path folder = root().resolve("example.test").resolve("alice").resolve(".Junk");
        assertThat(list(folder.resolve("new"))).isEmpty();
        assertThat(list(folder.resolve("tmp"))).isEmpty();
    }

    @Test
    void writerThatClosesTheStreamStillDelivers() throws IOException {
        DeliveryResult result = store().deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), out -> {
            try (out) {
                out.write("Subject: closed\r\n\r\nbody\r".getBytes(StandardCharsets.US_ASCII));
            }
        }));

        assertThat(new String(Files.readAllBytes(result.file()), StandardCharsets.US_ASCII))
                .endsWith("Subject: closed\n\nbody\r");
        assertThat(result.size()).isEqualTo(Files.size(result.file()));
    }

    @Test
    void mailboxPathOccupiedByAFileGivesAnActionableError() throws IOException {
        Files.createDirectories(root().resolve("example.test"));
        Files.writeString(root().resolve("example.test").resolve("alice"), "not a maildir");

        assertThatThrownBy(() -> store().deliver(new Delivery(ALICE, Optional.empty(), Optional.empty(), text(MESSAGE))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot deliver to alice@example.test")
                .hasMessageContaining("not a directory");
    }

    @Test
    void fullDiskFailureSaysSoAndWhatToDo() {
        Path maildir = root().resolve("example.test").resolve("alice");

        IOException failure = MaildirStore.failure(ALICE, "writing " + maildir.resolve("tmp/x") + " failed", maildir,
                new IOException("No space left on device"));

        assertThat(failure).hasMessageStartingWith("cannot deliver to alice@example.test: writing ")
                .hasMessageContaining("No space left on device")
                .hasMessageContaining("bytes free; free up space and the delivery can be retried")
                .hasCauseInstanceOf(IOException.class);
        assertThat(MaildirStore.failure(ALICE, "writing failed", maildir, new IOException("Input/output error")))
                .as("plenty of space in the test's temp dir: no disk-full hint")
                .hasMessageNotContaining("free up space");
    }

    @Test
    void concurrentDeliveriesGetUniqueNamesAndRaceSafeDirectories() throws Exception {
        MaildirStore store = store();
        int threads = 4;
        int perThread = 250;
        List<MailAddress> recipients = List.of(ALICE, new MailAddress("bob", "example.test"),
                new MailAddress("carol", "other.test"));
        List<Optional<String>> folders = List.of(Optional.empty(), Optional.of("Junk"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<DeliveryResult>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await(); // all threads hit the not-yet-existing maildirs at once
                    List<DeliveryResult> results = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        MailAddress to = recipients.get((thread + i) % recipients.size());
                        Optional<String> folder = folders.get(i % folders.size());
                        String body = "Subject: " + thread + "-" + i + "\r\n\r\nhi\r\n";
                        results.add(store.deliver(new Delivery(to, folder, Optional.of(SENDER), text(body))));
                    }
                    return results;
                }));
            }
            start.countDown();
            Set<Path> files = new HashSet<>();
            Set<String> uniqueParts = new HashSet<>();
            for (Future<List<DeliveryResult>> future : futures) {
                for (DeliveryResult result : future.get(2, TimeUnit.MINUTES)) {
                    files.add(result.file());
                    uniqueParts.add(result.file().getFileName().toString().replaceFirst(",S=.*", ""));
                }
            }
            assertThat(files).hasSize(threads * perThread);
            assertThat(uniqueParts).as("unique part of the name").hasSize(threads * perThread);

            long inNew = 0;
            for (MailAddress to : recipients) {
                for (Optional<String> folder : folders) {
                    Path maildir = store.folderOf(to, folder);
                    assertThat(list(maildir.resolve("tmp"))).isEmpty();
                    inNew += list(maildir.resolve("new")).size();
                }
            }
            assertThat(inNew).isEqualTo(threads * perThread);
            for (Path file : files) {
                assertThat(Files.readString(file, StandardCharsets.US_ASCII)).matches(
                        "(?s)Return-Path: <a@b>\nDelivered-To: \\w+@\\w+\\.test\nSubject: \\d-\\d+\n\nhi\n");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void posixPermissionsAreOwnerOnly() throws IOException {
        Prerequisites.require(temp.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "the temporary folder is on a file system without POSIX permissions");

        DeliveryResult result = store().deliver(new Delivery(ALICE, Optional.of("Junk"), Optional.empty(), text(MESSAGE)));

        Path mailbox = root().resolve("example.test").resolve("alice");
        for (Path dir : List.of(mailbox, mailbox.resolve("tmp"), mailbox.resolve("new"), mailbox.resolve("cur"),
                mailbox.resolve(".Junk"), mailbox.resolve(".Junk/tmp"), mailbox.resolve(".Junk/new"),
                mailbox.resolve(".Junk/cur"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).as(dir.toString())
                    .isEqualTo("rwx------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(result.file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mailbox.resolve(".Junk/maildirfolder"))))
                .isEqualTo("rw-------");
    }

    static MessageContent text(String s) {
        return out -> out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
