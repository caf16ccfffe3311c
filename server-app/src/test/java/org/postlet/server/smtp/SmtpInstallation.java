package org.postlet.server.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.postlet.server.PostletServer;
import org.postlet.smtp.tls.SelfSignedKeystore;

/**
 * A real Postlet server started from a configuration written into a temporary folder: local
 * domain example.test, users alice and bob (passwords "alice-pw", "bob-pw"), an aliases file,
 * and a pipeline that delivers local mail to the maildir and keeps everything else in
 * {@code var/relay}, so a relayed message is visible on disk.
 */
final class SmtpInstallation implements AutoCloseable {

    static final String ALIASES = """
            b.smith@example.test: bob@example.test
            team@example.test: alice@example.test, bob@example.test
            info@example.test: alice@example.test
            sales@example.test: info@example.test
            """;

    private static final String PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: RecipientIsLocal, class: RecipientRewrite }
                  - { match: RecipientIsLocal, class: LocalDelivery }
                  - { match: All, class: ToRepository, path: ../var/relay }
            """;

    /** One self-signed key for every test of the JVM: RSA key generation takes a second. */
    private static final class Keystore {
        static final byte[] BYTES;

        static {
            try {
                Path file = Files.createTempFile("postlet-test-keystore", ".p12");
                Files.delete(file);
                SelfSignedKeystore.createIfMissing(file, "mx.example.test", "changeit".toCharArray());
                BYTES = Files.readAllBytes(file);
                Files.delete(file);
            } catch (Exception e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    final Path root;
    final Path conf;
    final PostletServer server;

    /**
     * @param smtpKeys the YAML lines under {@code smtp:} (listeners, authorizedNetworks, senderLogin…), indented by two
     */
    SmtpInstallation(Path root, String smtpKeys) throws Exception {
        this.root = root;
        this.conf = writeConfig(root, smtpKeys);
        this.server = PostletServer.start(conf, root);
    }

    /** Writes the configuration without starting anything; returns the configuration folder. */
    static Path writeConfig(Path root, String smtpKeys) throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.writeString(conf.resolve("users.passwd"), "alice@example.test:{PLAIN}alice-pw\nbob@example.test:{PLAIN}bob-pw\n");
        Files.writeString(conf.resolve("aliases"), ALIASES);
        Files.writeString(conf.resolve("pipeline.yaml"), PIPELINE);
        Files.write(Files.createDirectories(conf.resolve("tls")).resolve("keystore.p12"), Keystore.BYTES);
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                aliases: aliases
                smtp:
                %s
                  limits: { authFailureDelay: 10ms }
                tls:
                  keystore: tls/keystore.p12
                  password: changeit
                spool: ../var/spool
                storage:
                  maildir:
                    root: ../var/mail
                pipeline: pipeline.yaml
                """.formatted(smtpKeys.stripTrailing()), StandardCharsets.UTF_8);
        return conf;
    }

    int port(String listener) {
        return server.port(listener);
    }

    /** The files in a user's maildir {@code new/}, waiting up to 10 s for {@code count} of them. */
    List<Path> awaitMail(String user, int count) throws IOException, InterruptedException {
        return awaitFiles(root.resolve("var/mail/example.test").resolve(user).resolve("new"), count);
    }

    /** The messages kept in {@code var/relay}, waiting up to 10 s for {@code count} of them. */
    List<Path> awaitRelayed(int count) throws IOException, InterruptedException {
        return awaitFiles(root.resolve("var/relay"), count);
    }

    /** Every file under {@code var/relay}, now. */
    List<Path> relayed() throws IOException {
        Path dir = root.resolve("var/relay");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static List<Path> awaitFiles(Path dir, int count) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        List<Path> files = List.of();
        while (Instant.now().isBefore(deadline)) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                            .sorted().toList();
                }
                if (files.size() >= count) {
                    return files;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("expected " + count + " file(s) in " + dir + " within 10 s, found " + files);
    }

    @Override
    public void close() {
        server.close();
    }
}
