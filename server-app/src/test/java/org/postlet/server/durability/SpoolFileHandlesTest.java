package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.testsupport.Prerequisites;
import org.postlet.server.PostletServer;

/**
 * Every spool file a mail was read from is closed when the mail's processing ends, not when the
 * garbage collector gets round to it: open handles on deleted files hold their disk space, which
 * on a full disk is what keeps new mail out.
 */
class SpoolFileHandlesTest {

    /** Parses every message (headers, MIME structure, content), as the shipped pipeline does. */
    private static final String PARSING_PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: All, class: LogMessage, headers: "Subject, Message-ID" }
                  - { match: HasAttachment, class: AddHeader, name: X-Had-Attachment, value: "yes" }
                  - { match: "HasHeader=X-Spam-Flag:YES", class: LocalDelivery, folder: Junk }
                  - { match: RecipientIsLocal, class: LocalDelivery }
                  - { match: All, class: ToProcessor, processor: error }
              - state: error
                mailets:
                  - { match: All, class: ToRepository, path: ../var/error }
            """;

    @TempDir
    Path dir;

    @Test
    void noSpoolFileStaysOpenAfterItsMailWasDelivered() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        Prerequisites.require(Files.isDirectory(fds), "needs /proc/self/fd (Linux)");
        Installation inst = Installation.create(dir, 0, PARSING_PIPELINE);
        int mails = 30;
        try (PostletServer server = PostletServer.start(inst.conf, dir)) {
            try (RawSmtp smtp = new RawSmtp(server.port("mx"), 10_000)) {
                for (int i = 0; i < mails; i++) {
                    String body = i % 2 == 0 ? plain(i) : withAttachment(i);
                    assertThat(smtp.send("sender@example.org", List.of("alice@example.test"), body).accepted())
                            .as("mail %d accepted", i).isTrue();
                }
            }
            Installation.awaitMessages(inst.inbox("alice"), mails, Duration.ofSeconds(30));
            awaitEmptyQueue(server);

            // The lock file and the log segment being appended to are held open on purpose, for as
            // long as the server runs; nothing a delivered mail was read from may stay open.
            Path spool = inst.spool.toRealPath();
            assertThat(openFilesUnder(inst.spool)).as("descriptors still open on spool files (or deleted ones)")
                    .allSatisfy(open -> assertThat(open).satisfiesAnyOf(
                            name -> assertThat(name).isEqualTo(spool.resolve("postlet.lock").toString()),
                            name -> assertThat(Path.of(name)).startsWith(spool.resolve("log")).exists()))
                    .filteredOn(name -> name.startsWith(spool.resolve("log").toString())).hasSizeLessThanOrEqualTo(1);
        }
    }

    private static void awaitEmptyQueue(PostletServer server) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!server.queue().browse().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(25);
        }
        assertThat(server.queue().browse()).as("queue after delivery").isEmpty();
    }

    /** The targets of this process's descriptors that lie under {@code dir}, deleted or not. */
    static List<String> openFilesUnder(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString() + "/";
        List<String> open = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(prefix) && !Files.isDirectory(Path.of(target))) {
                        open.add(target);
                    }
                } catch (IOException e) {
                    // closed while we listed
                }
            }
        }
        return open;
    }

    private static String plain(int i) {
        return "From: sender@example.org\r\nTo: alice@example.test\r\nSubject: plain " + i
                + "\r\nMessage-ID: <plain-" + i + "@example.org>\r\n\r\nHello " + i + "\r\n";
    }

    private static String withAttachment(int i) {
        return "From: sender@example.org\r\nTo: alice@example.test\r\nSubject: attached " + i
                + "\r\nMessage-ID: <att-" + i + "@example.org>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n--b--\r\n";
    }
}
