package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.server.PostletServer;

/**
 * Issue 3's "done when": one message for three local recipients, sent by a real SMTP client to a
 * real server, where a matcher picks one of them. That recipient's copy goes through another
 * processor into the Maildir++ folder {@code Junk}; the other two land in their INBOX; each
 * exactly once. The same pipeline written in YAML and in XML behaves the same.
 */
class RecipientSplitToFoldersTest {

    private static final String MATCHER = RecipientIs.class.getName();

    private static final String YAML = """
            processors:
              - state: root
                mailets:
                  - { match: All, class: LogMessage }
                  - match: "%1$s=carol@example.test"
                    class: ToProcessor
                    processor: junk
                  - { match: RecipientIsLocal, class: LocalDelivery }
                  - { match: All, class: ToProcessor, processor: error }
              - state: junk
                mailets:
                  - { match: All, class: LocalDelivery, folder: Junk }
              - state: error
                mailets:
                  - { match: All, class: ToRepository, path: ../var/error }
            """.formatted(MATCHER);

    private static final String XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <processors>
              <processor state="root">
                <mailet match="All" class="LogMessage"/>
                <mailet match="%1$s=carol@example.test" class="ToProcessor">
                  <processor>junk</processor>
                </mailet>
                <mailet match="RecipientIsLocal" class="LocalDelivery"/>
                <mailet match="All" class="ToProcessor"><processor>error</processor></mailet>
              </processor>
              <processor state="junk">
                <mailet match="All" class="LocalDelivery"><folder>Junk</folder></mailet>
              </processor>
              <processor state="error">
                <mailet match="All" class="ToRepository"><path>../var/error</path></mailet>
              </processor>
            </processors>
            """.formatted(MATCHER);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void oneRecipientsCopyTakesAnotherProcessorIntoJunkAndTheOthersLandInTheirInbox(String format) throws Exception {
        TestInstallation inst = new TestInstallation(dir, 0);
        Files.writeString(inst.conf.resolve("users.passwd"), """
                alice@example.test:{PLAIN}alice
                bob@example.test:{PLAIN}bob
                carol@example.test:{PLAIN}carol
                """);
        Files.writeString(inst.conf.resolve("pipeline." + format), format.equals("yaml") ? YAML : XML);
        Path postlet = inst.conf.resolve("postlet.yaml");
        Files.writeString(postlet, Files.readString(postlet).replace("pipeline: pipeline.yaml", "pipeline: pipeline." + format));

        try (PostletServer server = PostletServer.start(inst.conf, dir)) {
            Properties props = new Properties();
            props.put("mail.smtp.host", "127.0.0.1");
            props.put("mail.smtp.port", Integer.toString(server.port("mx")));
            props.put("mail.smtp.localhost", "client.example");
            MimeMessage message = new MimeMessage(Session.getInstance(props));
            message.setFrom(new InternetAddress("sender@example.com"));
            message.setRecipients(Message.RecipientType.TO, "alice@example.test, bob@example.test, carol@example.test");
            message.setSubject("one message, three recipients (" + format + ")");
            message.setText("Hello all three.\n", "UTF-8");
            Transport.send(message);

            Path mail = inst.maildir.resolve("example.test");
            List<Path> alice = inst.awaitMail("alice", 1);
            List<Path> bob = inst.awaitMail("bob", 1);
            List<Path> carolJunk = TestInstallation.awaitFiles(mail.resolve("carol/.Junk/new"), 1);
            awaitEmptySpool(inst.spool);

            assertThat(files(mail.resolve("alice/new"))).isEqualTo(alice).hasSize(1);
            assertThat(files(mail.resolve("bob/new"))).isEqualTo(bob).hasSize(1);
            assertThat(files(mail.resolve("carol/.Junk/new"))).isEqualTo(carolJunk).hasSize(1);
            assertThat(files(mail.resolve("carol/new"))).as("carol's INBOX").isEmpty();
            assertThat(files(mail.resolve("alice/.Junk/new"))).isEmpty();
            assertThat(files(mail.resolve("bob/.Junk/new"))).isEmpty();
            assertThat(mail.resolve("carol/.Junk/maildirfolder")).exists();
            assertThat(files(dir.resolve("var/error"))).as("nothing went to error").isEmpty();

            assertThat(Files.readString(alice.get(0), StandardCharsets.UTF_8))
                    .startsWith("Return-Path: <sender@example.com>\nDelivered-To: alice@example.test\n")
                    .contains("Hello all three.");
            assertThat(Files.readString(bob.get(0), StandardCharsets.UTF_8)).contains("Delivered-To: bob@example.test\n");
            assertThat(Files.readString(carolJunk.get(0), StandardCharsets.UTF_8))
                    .startsWith("Return-Path: <sender@example.com>\nDelivered-To: carol@example.test\n")
                    .contains("Subject: one message, three recipients (" + format + ")");
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    /** Waits until the spool holds no message files, so that a late duplicate would have shown. */
    private static void awaitEmptySpool(Path spool) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            if (files(spool.resolve("incoming")).isEmpty() && files(spool.resolve("queue")).isEmpty()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the spool " + spool + " still holds messages after 10 s");
    }
}
