package org.postlet.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The users and pipeline the tests run with, owned by the tests. The repository's {@code conf/}
 * belongs to the user, who edits it (docs/writing-mailets.md adds a step to
 * {@code conf/pipeline.yaml}); a test that copied it would break on every such edit. The pipeline
 * here has the shipped pipeline's routes: local users get their mail, authenticated or bounce mail
 * to other domains is kept in {@code ../var/relay}, unknown local users get a bounce, and the
 * rest is kept in {@code ../var/error} with its reason.
 */
public final class TestConfiguration {

    /** alice and bob of example.test; the passwords are the user names. */
    public static final String USERS = """
            alice@example.test:{PLAIN}alice
            bob@example.test:{PLAIN}bob
            """;

    /** The shipped pipeline's routes (see the class comment); relative paths as in conf/. */
    public static final String PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: All, class: LogMessage, headers: "Subject, Message-ID" }
                  - { match: "RelayLimit=30", class: ToProcessor, processor: error, notice: "mail loop: 30 or more Received headers" }
                  - { match: All, class: RecipientToLowerCase }
                  - { match: RecipientIsLocal, class: RecipientRewrite }
                  - { match: RecipientIsLocal, class: ToProcessor, processor: local }
                  - { match: "SMTPAuthSuccessful or SenderIsNull", class: ToProcessor, processor: relay }
                  - { match: RecipientDomainIsLocal, class: ToProcessor, processor: unknown-recipient }
                  - { match: All, class: ToProcessor, processor: error, notice: "no local mailbox and no remote delivery" }
              - state: local
                mailets:
                  - { match: "HasHeader=X-Spam-Flag:YES", class: LocalDelivery, folder: Junk }
                  - { match: All, class: LocalDelivery }
              - state: relay
                mailets:
                  - { match: All, class: ToRepository, path: ../var/relay }
              - state: unknown-recipient
                mailets:
                  - { match: All, class: Bounce, status: "5.1.1", notice: "no such user here" }
              - state: error
                mailets:
                  - { match: All, class: LogMessage, level: warn, template: "{id}: in error from {sender} to {recipients}: {error}" }
                  - { match: All, class: ToRepository, path: ../var/error }
            """;

    /** The repository, seen from a module's folder (the tests' working directory). */
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    /** The files of conf/ the project ships; tests of the shipped defaults read their committed versions. */
    private static final List<String> SHIPPED_CONF = List.of("postlet.yaml", "pipeline.yaml", "pipeline.xml",
            "users.passwd", "aliases", "logback.xml");

    private TestConfiguration() {
    }

    /**
     * The committed version of a file of the repository, written into {@code folder}, or the file
     * itself outside a git checkout (e.g. an unpacked source tarball). A user's uncommitted edit of
     * conf/ therefore never changes what a test of the shipped defaults sees.
     */
    public static Path committed(String path, Path folder) throws IOException, InterruptedException {
        Path onDisk = REPOSITORY.resolve(path);
        Process git;
        try {
            git = new ProcessBuilder("git", "-C", REPOSITORY.toString(), "show", "HEAD:" + path).start();
        } catch (IOException noGit) {
            return onDisk;
        }
        byte[] committed = git.getInputStream().readAllBytes();
        if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
            return onDisk; // not a git checkout, or the file is not committed yet
        }
        return Files.write(Files.createDirectories(folder).resolve(onDisk.getFileName()), committed);
    }

    /** The shipped conf/ as committed, in {@code folder}: for tests of the defaults a user may edit. */
    public static Path committedConf(Path folder) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        for (String name : SHIPPED_CONF) {
            Path file = committed("conf/" + name, folder);
            if (!file.startsWith(folder)) {
                Files.copy(file, folder.resolve(name));
            }
        }
        return folder;
    }
}
