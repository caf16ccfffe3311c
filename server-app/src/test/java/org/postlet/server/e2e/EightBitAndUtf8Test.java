package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.server.testing.EightBitBody;
import org.postlet.testsupport.Prerequisites;

/**
 * The README promises 8BITMIME and SMTPUTF8. An 8-bit body (any octet but NUL, CR and LF alone)
 * arrives in the Maildir byte for byte, only CRLF turned into LF; a UTF-8 recipient, sender and
 * header (RFC 6531) sent by Python's smtplib with SMTPUTF8 reach the UTF-8 named Maildir intact.
 */
class EightBitAndUtf8Test {

    @TempDir
    Path dir;

    private TestInstallation installation;
    private PostletServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        installation = new TestInstallation(dir, 0);
        Files.writeString(installation.conf.resolve("users.passwd"), "jörg@example.test:{PLAIN}jörg\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        server = PostletServer.start(installation.conf, dir);
        port = server.port("mx");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anEightBitBodyIsStoredByteForByte() throws Exception {
        byte[] header = ("From: a@example.com\r\nSubject: eight bit\r\n" + EightBitBody.HEADER + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] body = EightBitBody.bytes();
        List<String> replies = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            replies.add(reply(in));
            for (String command : List.of("EHLO client.example", "MAIL FROM:<a@example.com> BODY=8BITMIME",
                    "RCPT TO:<alice@example.test>", "DATA")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                replies.add(reply(in));
            }
            out.write(header);
            out.write(body);
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            replies.add(reply(in));
        }
        assertThat(replies.get(1)).as("EHLO").contains("250-8BITMIME");
        assertThat(replies).extracting(r -> r.substring(0, 3)).containsExactly("220", "250", "250", "250", "354", "250");

        byte[] stored = Files.readAllBytes(installation.awaitMail("alice", 1).get(0));
        byte[] expectedTail = crlfToLf(concat(header, body));
        assertThat(endsWith(stored, expectedTail)).as("the Maildir file ends with exactly the sent message, CRLF -> LF:\n%s",
                new String(stored, StandardCharsets.ISO_8859_1)).isTrue();
    }

    @Test
    void smtputf8RecipientSenderAndHeadersArriveIntact() throws Exception {
        Prerequisites.requireCommand("python3", "python3");
        Path script = dir.resolve("send.py");
        Files.writeString(script, """
                import smtplib, sys
                msg = ("From: Jörg Müller <jörg@example.test>\\r\\n"
                       "To: jörg@example.test\\r\\n"
                       "Subject: Grüße ✉ aus Köln\\r\\n"
                       "MIME-Version: 1.0\\r\\n"
                       "Content-Type: text/plain; charset=UTF-8\\r\\n"
                       "Content-Transfer-Encoding: 8bit\\r\\n"
                       "\\r\\n"
                       "Schöne Grüße, 📨\\r\\n").encode("utf-8")
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="python.example") as s:
                    s.ehlo()
                    assert s.has_extn("smtputf8"), "SMTPUTF8 is not advertised"
                    refused = s.sendmail("jörg@example.test", ["jörg@example.test"], msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
                    assert not refused, refused
                """, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("python3", script.toString(), Integer.toString(port)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("python3 output: %s", output).isZero();

        Path file = installation.awaitMail("jörg", 1).get(0);
        String stored = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(stored).startsWith("Return-Path: <jörg@example.test>\nDelivered-To: jörg@example.test\nReceived: from python.example");
        assertThat(stored).as("the Received header names the UTF-8 transaction (RFC 6531 'with UTF8SMTP')").contains(" with UTF8SMTP");
        assertThat(stored).endsWith("From: Jörg Müller <jörg@example.test>\nTo: jörg@example.test\nSubject: Grüße ✉ aus Köln\n"
                + "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nSchöne Grüße, 📨\n");
    }

    private static String reply(InputStream in) throws IOException {
        StringBuilder all = new StringBuilder();
        while (true) {
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("connection closed after " + all + line);
                }
                line.append((char) c);
            }
            all.append(line).append('\n');
            if (line.length() < 4 || line.charAt(3) != '-') {
                return all.toString().strip();
            }
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static byte[] crlfToLf(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
                continue;
            }
            out.write(bytes[i]);
        }
        return out.toByteArray();
    }

    static boolean endsWith(byte[] bytes, byte[] tail) {
        if (tail.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < tail.length; i++) {
            if (bytes[bytes.length - tail.length + i] != tail[i]) {
                return false;
            }
        }
        return true;
    }
}
