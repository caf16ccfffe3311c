package org.postlet.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.slf4j.LoggerFactory;

/**
 * The log lines of the real server for what operators ask about: each refusal on one line, a
 * client lost mid-DATA, and one size for one mail from the SMTP line to the delivery line.
 */
class SmtpLogLinesTest {

    @TempDir
    Path dir;

    private PostletServer server;
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Logger postlet;
    private Level oldLevel;

    @BeforeEach
    void start() throws Exception {
        postlet = (Logger) LoggerFactory.getLogger("org.postlet");
        oldLevel = postlet.getLevel();
        captured.start();
        postlet.addAppender(captured);
        postlet.setLevel(Level.INFO);
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("users.passwd"), "alice@example.test:{PLAIN}secret\n");
        Files.writeString(conf.resolve("aliases"), "postmaster@example.test: alice@example.test\n");
        Files.writeString(conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: LogMessage }
                      - { match: RecipientIsLocal, class: RecipientRewrite }
                      - { match: All, class: LocalDelivery }
                """);
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                aliases: aliases
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: 0, tls: none, auth: none }
                    - { name: submission, bind: 127.0.0.1, port: 0, tls: none, auth: required }
                  authorizedNetworks: [192.0.2.0/24]
                spool: ../var/spool
                storage:
                  maildir:
                    root: ../var/mail
                pipeline: pipeline.yaml
                """);
        server = PostletServer.start(conf, dir);
    }

    @AfterEach
    void stop() {
        server.close();
        postlet.detachAppender(captured);
        postlet.setLevel(oldLevel);
    }

    @Test
    void refusedRecipientsAreLoggedOneLineEach() throws Exception {
        try (Session s = new Session(server.port("mx"))) {
            s.command("EHLO client.example");
            s.command("MAIL FROM:<a@example.com>");
            assertThat(s.command("RCPT TO:<nobody@example.test>")).startsWith("550 5.1.1");
            assertThat(s.command("RCPT TO:<x@elsewhere.example>")).startsWith("554 5.7.1");
        }
        assertThat(await("NOQUEUE: reject: RCPT from [127.0.0.1]: 550 5.1.1 ")).endsWith(
                "from=<a@example.com> to=<nobody@example.test> proto=ESMTP helo=<client.example> listener=mx");
        assertThat(await("NOQUEUE: reject: RCPT from [127.0.0.1]: 554 5.7.1 ")).contains("to=<x@elsewhere.example>");
    }

    @Test
    void authRequiredAndFailedPasswordsAreLogged() throws Exception {
        try (Session s = new Session(server.port("submission"))) {
            s.command("EHLO client.example");
            assertThat(s.command("MAIL FROM:<a@example.com>")).startsWith("530");
            String wrong = Base64.getEncoder().encodeToString("\0alice@example.test\0guess".getBytes(StandardCharsets.UTF_8));
            assertThat(s.command("AUTH PLAIN " + wrong)).startsWith("535");
        }
        assertThat(await("NOQUEUE: reject: MAIL from [127.0.0.1]: 530 5.7.0 ")).contains("from=<a@example.com>", "listener=submission");
        assertThat(await("NOQUEUE: reject: AUTH from [127.0.0.1]: 535 5.7.8 ")).contains("helo=<client.example>");
    }

    @Test
    void aClientThatDropsMidDataIsLogged() throws Exception {
        try (Session s = new Session(server.port("mx"))) {
            s.command("EHLO client.example");
            s.command("MAIL FROM:<a@example.com>");
            s.command("RCPT TO:<alice@example.test>");
            assertThat(s.command("DATA")).startsWith("354");
            s.send("Subject: half\r\n\r\nand then nothing");
        }
        assertThat(await("lost connection after DATA from [127.0.0.1]")).isEqualTo("lost connection after DATA from [127.0.0.1] on mx");
    }

    /** size= is the received message (with our Received header) in the SMTP, pipeline and delivery lines alike. */
    @Test
    void oneMailHasOneSizeFromSmtpToDelivery() throws Exception {
        try (Session s = new Session(server.port("mx"))) {
            s.command("EHLO client.example");
            s.command("MAIL FROM:<a@example.com>");
            // The bare postmaster (RFC 5321 §4.5.1) is postmaster@example.test, an alias of alice.
            assertThat(s.command("RCPT TO:<postmaster>")).startsWith("250");
            s.command("DATA");
            assertThat(s.command("Subject: sizes\r\n\r\n" + "some text\r\n".repeat(50) + ".")).startsWith("250");
        }
        long accepted = size(await("accepted "));
        long piped = size(await(": from=<a@example.com>"));
        String deliveredLine = await(": delivered to maildir alice@example.test");
        assertThat(piped).isEqualTo(accepted);
        assertThat(size(deliveredLine)).isEqualTo(accepted);
        Path inNew = dir.resolve("var/mail/example.test/alice/new");
        try (var files = Files.list(inNew)) {
            Path file = files.findFirst().orElseThrow();
            String text = Files.readString(file, StandardCharsets.UTF_8);
            // Maildir files end lines with LF alone; the mail had CRLF.
            String mail = text.substring(text.indexOf("Received: ")).replace("\n", "\r\n");
            assertThat(mail.length()).as("the mail without Return-Path and Delivered-To").isEqualTo((int) accepted);
            assertThat(deliveredLine).contains("(file " + Files.size(file) + " bytes");
        }
    }

    private static long size(String line) {
        Matcher m = Pattern.compile(" size=(\\d+)").matcher(line);
        assertThat(m.find()).as("size= in %s", line).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The first captured line containing {@code text}, waiting up to 10 s for it. */
    private String await(String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            for (String line : lines) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line with '" + text + "' in " + captured.list);
    }

    /** A raw SMTP client: CRLF lines, first line of each reply. */
    private static final class Session implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Session(int port) throws Exception {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
            read();
        }

        void send(String raw) throws Exception {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String command(String line) throws Exception {
            send(line + "\r\n");
            return read();
        }

        private String read() throws Exception {
            String line = in.readLine();
            String first = line;
            while (line != null && line.length() > 3 && line.charAt(3) == '-') {
                line = in.readLine();
            }
            return first;
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
