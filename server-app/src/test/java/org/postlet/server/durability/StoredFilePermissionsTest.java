package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;

/**
 * Mail is readable by the server's user alone wherever it is kept: in the Maildirs, in the
 * spool and in the repositories ({@code var/error}), files 0600 in folders 0700 that the server
 * created, whatever the umask.
 */
class StoredFilePermissionsTest {

    private static final String PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: RecipientIsLocal, class: LocalDelivery }
                  - { match: All, class: ToRepository, path: ../var/kept/error }
            """;

    @TempDir
    Path dir;

    @Test
    void keptMailIsOwnerOnlyLikeTheMaildir() throws Exception {
        Installation inst = Installation.create(dir, 0, PIPELINE);
        Path kept = dir.resolve("var/kept/error");
        try (PostletServer server = PostletServer.start(inst.conf, dir);
             RawSmtp smtp = new RawSmtp(server.port("mx"), 10_000)) {
            assertThat(smtp.send("sender@example.org", List.of("alice@example.test", "someone@elsewhere.example"),
                    "Subject: kept\r\n\r\nhello\r\n").accepted()).isTrue();
            Installation.awaitMessages(inst.inbox("alice"), 1, Duration.ofSeconds(20));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (repositoryFiles(kept).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(25);
            }
        }
        List<Path> files = repositoryFiles(kept);
        assertThat(files).as("the mail for the remote recipient, kept").hasSize(1);

        assertThat(mode(Installation.messages(inst.inbox("alice")).get(0))).as("maildir file").isEqualTo("rw-------");
        assertThat(mode(files.get(0))).as("repository file %s", files.get(0)).isEqualTo("rw-------");
        assertThat(mode(kept)).as("repository folder").isEqualTo("rwx------");
        assertThat(mode(kept.getParent())).as("its parent, also created by the server").isEqualTo("rwx------");
        assertThat(mode(inst.spool)).as("spool folder, created by the server").isEqualTo("rwx------");
        List<Path> inSpool;
        try (var s = Files.walk(inst.spool)) {
            inSpool = s.filter(p -> !p.equals(inst.spool)).toList();
        }
        assertThat(inSpool).as("what the queue keeps in the spool").isNotEmpty();
        for (Path p : inSpool) {
            assertThat(mode(p)).as("spool entry %s", inst.spool.relativize(p))
                    .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
        }
    }

    private static List<Path> repositoryFiles(Path folder) throws java.io.IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var s = Files.list(folder)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static String mode(Path p) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
