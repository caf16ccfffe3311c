package org.postlet.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.server.testing.TestConfiguration;
import org.postlet.testsupport.Prerequisites;

/**
 * The real server with an MX listener (STARTTLS, auth optional) and a submission listener
 * (STARTTLS, auth required), a user with a {SHA512-CRYPT} password and no keystore configured,
 * so the self-signed one is generated. Real clients (Python's smtplib, swaks) upgrade to TLS,
 * log in and the mail lands in the maildir.
 */
class SubmissionTest {

    private static final String PASSWORD = "correct horse";

    @TempDir
    Path dir;

    private Path conf;
    private PostletServer server;

    @BeforeEach
    void start() throws Exception {
        conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("pipeline.yaml"), TestConfiguration.PIPELINE);
        Files.writeString(conf.resolve("users.passwd"),
                "alice@example.test:{SHA512-CRYPT}" + Sha2Crypt.sha512Crypt(PASSWORD.getBytes(StandardCharsets.UTF_8)) + "\n"
                        + "bob@example.test:{PLAIN}bob\n");
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: 0, tls: starttls, auth: optional }
                    - { name: submission, bind: 127.0.0.1, port: 0, tls: starttls, auth: required }
                  authorizedNetworks: []
                spool: ../var/spool
                storage:
                  maildir:
                    root: ../var/mail
                    layout: "%d/%n"
                pipeline: pipeline.yaml
                """);
        server = PostletServer.start(conf, dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aSelfSignedKeystoreIsGeneratedBesideTheConfiguration() {
        assertThat(conf.resolve("tls/keystore.p12")).isRegularFile();
    }

    @Test
    void pythonSmtplibStartsTlsLogsInAndDelivers() throws Exception {
        Path script = dir.resolve("submit.py");
        Files.writeString(script, """
                import smtplib, ssl, sys
                from email.message import EmailMessage
                m = EmailMessage()
                m["From"] = "alice@example.test"
                m["To"] = "bob@example.test"
                m["Subject"] = "submitted"
                m.set_content("Sent with STARTTLS and LOGIN.\\n")
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="laptop.example") as s:
                    s.ehlo()
                    try:
                        s.login("alice@example.test", sys.argv[2])
                        sys.exit("AUTH was offered before STARTTLS")
                    except smtplib.SMTPNotSupportedError:
                        pass
                    s.starttls(context=context)
                    s.ehlo()
                    try:
                        s.login("alice@example.test", "wrong")
                        sys.exit("a wrong password was accepted")
                    except smtplib.SMTPAuthenticationError as e:
                        assert e.smtp_code == 535, e
                    s.login("alice@example.test", sys.argv[2])
                    refused = s.send_message(m)
                    assert not refused, refused
                """);
        Process p = new ProcessBuilder("python3", script.toString(), Integer.toString(server.port("submission")), PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("python3 output: %s", output).isZero();
        String stored = Files.readString(awaitMail("bob").get(0));
        assertThat(stored).contains("Received: from laptop.example").contains(" with ESMTPSA id ")
                .contains("(using TLSv1.").contains("Subject: submitted\n").contains("Sent with STARTTLS and LOGIN.\n");
    }

    @Test
    void swaksWithTlsAndAuthPlainDelivers() throws Exception {
        Prerequisites.requireCommand("swaks", "swaks");
        Process p = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", Integer.toString(server.port("submission")),
                "--helo", "swaks.example", "--from", "alice@example.test", "--to", "bob@example.test",
                "--tls", "--auth", "PLAIN", "--auth-user", "alice@example.test", "--auth-password", PASSWORD,
                "--header", "Subject: from swaks", "--body", "Sent by swaks.")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("swaks output: %s", output).isZero();
        assertThat(output).contains("<-  220 2.0.0 Ready to start TLS").contains("235 2.7.0 Authentication successful");
        String stored = Files.readString(awaitMail("bob").get(0));
        assertThat(stored).contains("Received: from swaks.example").contains(" with ESMTPSA id ").contains("Subject: from swaks");
    }

    @Test
    void swaksWithAWrongPasswordIsRefusedAndNothingIsDelivered() throws Exception {
        Prerequisites.requireCommand("swaks", "swaks");
        Process p = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", Integer.toString(server.port("submission")),
                "--from", "alice@example.test", "--to", "bob@example.test",
                "--tls", "--auth", "LOGIN", "--auth-user", "alice@example.test", "--auth-password", "guess")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("swaks output: %s", output).isNotZero();
        assertThat(output).contains("535 5.7.8");
        assertThat(dir.resolve("var/mail/example.test/bob")).doesNotExist();
    }

    @Test
    void swaksLoggedInAsBobCannotSendAsAlice() throws Exception {
        Prerequisites.requireCommand("swaks", "swaks");
        Process p = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", Integer.toString(server.port("submission")),
                "--from", "alice@example.test", "--to", "alice@example.test",
                "--tls", "--auth", "PLAIN", "--auth-user", "bob@example.test", "--auth-password", "bob")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("swaks output: %s", output).isNotZero();
        assertThat(output).contains("235 2.7.0")
                .contains("553 5.7.1 <alice@example.test>: sender address not owned by user bob@example.test");
        assertThat(dir.resolve("var/mail/example.test/alice")).doesNotExist();
    }

    @Test
    void theMxListenerTakesLocalMailWithoutAuthOverStarttls() throws Exception {
        Prerequisites.requireCommand("swaks", "swaks");
        Process p = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", Integer.toString(server.port("mx")),
                "--from", "someone@elsewhere.example", "--to", "alice@example.test", "--tls")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("swaks output: %s", output).isZero();
        assertThat(Files.readString(awaitMail("alice").get(0))).contains(" with ESMTPS id ");
    }

    private List<Path> awaitMail(String user) throws Exception {
        Path newDir = dir.resolve("var/mail/example.test").resolve(user).resolve("new");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            if (Files.isDirectory(newDir)) {
                try (Stream<Path> files = Files.list(newDir)) {
                    List<Path> found = files.filter(f -> !f.getFileName().toString().startsWith(".")).toList();
                    if (!found.isEmpty()) {
                        return found;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no mail for " + user + " in " + newDir + " within 10 s");
    }
}
