package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;

/**
 * The whole way, in one JVM: a real client on a loopback socket, the SMTP server, the spool,
 * the shipped pipeline, and the file in the maildir.
 */
class SmtpToMaildirTest {

    @TempDir
    Path dir;

    private TestInstallation installation;
    private PostletServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        installation = new TestInstallation(dir, 0);
        server = PostletServer.start(installation.conf, dir);
        port = server.port("mx");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Sends each line as a person would type it and returns the first line of each reply. */
    private List<String> typedSession(String... lines) throws Exception {
        List<String> replies = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            replies.add(readReply(in));
            boolean inData = false;
            for (String line : lines) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (inData && !line.equals(".")) {
                    continue; // body lines get no reply
                }
                String reply = readReply(in);
                replies.add(reply);
                inData = reply.startsWith("354");
            }
        }
        return replies;
    }

    private static String readReply(BufferedReader in) throws Exception {
        String line = in.readLine();
        String first = line;
        while (line != null && line.length() > 3 && line.charAt(3) == '-') {
            line = in.readLine();
        }
        return first;
    }

    @Test
    void theClassicTelnetSessionLandsInAlicesMaildir() throws Exception {
        List<String> replies = typedSession("HELO localhost", "MAIL FROM:<user1@example.com>", "RCPT TO:<alice@example.test>",
                "DATA", "Subject: hello", "", "Hi Alice,", "..a line that starts with a dot", ".", "QUIT");
        assertThat(replies).extracting(r -> r.substring(0, 3)).containsExactly("220", "250", "250", "250", "354", "250", "221");
        assertThat(replies.get(5)).matches("250 .*queued as [0-9A-Z]{12}");
        String queueId = replies.get(5).substring(replies.get(5).lastIndexOf(' ') + 1);

        Path file = installation.awaitMail("alice", 1).get(0);
        String stored = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(stored).startsWith("Return-Path: <user1@example.com>\nDelivered-To: alice@example.test\nReceived: from localhost");
        assertThat(stored).contains("id " + queueId);
        assertThat(stored).endsWith("\nSubject: hello\n\nHi Alice,\n.a line that starts with a dot\n");
        assertThat(stored).doesNotContain("\r");
        assertThat(file.getFileName().toString()).endsWith(",S=" + Files.size(file));
    }

    @Test
    void theBareMailFromThatPeopleTypeWorksToo() throws Exception {
        List<String> replies = typedSession("helo localhost", "mail from:user1@example.com", "rcpt to:bob@example.test",
                "data", "just a body", ".", "quit");
        assertThat(replies).extracting(r -> r.substring(0, 3)).containsExactly("220", "250", "250", "250", "354", "250", "221");
        assertThat(Files.readString(installation.awaitMail("bob", 1).get(0))).startsWith("Return-Path: <user1@example.com>\n")
                .endsWith("just a body\n");
    }

    @Test
    void jakartaMailTransportDeliversToEveryRecipient() throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.localhost", "client.example");
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("sender@example.com"));
        message.setRecipients(Message.RecipientType.TO, "alice@example.test, bob@example.test");
        message.setSubject("Quarterly numbers");
        message.setText("Numbers attached.\n.\nNot the end.\n", "UTF-8");
        Transport.send(message);

        for (String user : List.of("alice", "bob")) {
            String stored = Files.readString(installation.awaitMail(user, 1).get(0));
            assertThat(stored).startsWith("Return-Path: <sender@example.com>\nDelivered-To: " + user + "@example.test\nReceived: from client.example");
            assertThat(stored).contains("Subject: Quarterly numbers\n").contains("Numbers attached.\n.\nNot the end.\n");
        }
    }

    @Test
    void unknownLocalUserIsRefusedAtRcptAndNothingIsStored() throws Exception {
        List<String> replies = typedSession("EHLO localhost", "MAIL FROM:<a@example.com>", "RCPT TO:<nobody@example.test>",
                "DATA", "QUIT");
        assertThat(replies.get(3)).startsWith("550 5.1.1");
        assertThat(replies.get(4)).startsWith("554");
        assertThat(installation.maildir.resolve("example.test/nobody")).doesNotExist();
    }

    @Test
    void pythonSmtplibDelivers() throws Exception {
        Path script = dir.resolve("send.py");
        Files.writeString(script, """
                import smtplib, sys
                from email.message import EmailMessage
                m = EmailMessage()
                m["From"] = "py@example.com"
                m["To"] = "alice@example.test"
                m["Subject"] = "from smtplib"
                m.set_content("Sent by Python's smtplib.\\n")
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="python.example") as s:
                    s.ehlo()
                    refused = s.send_message(m)
                    assert not refused, refused
                """);
        Process p = new ProcessBuilder("python3", script.toString(), Integer.toString(port)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("python3 output: %s", output).isZero();
        String stored = Files.readString(installation.awaitMail("alice", 1).get(0));
        assertThat(stored).startsWith("Return-Path: <py@example.com>\nDelivered-To: alice@example.test\nReceived: from python.example")
                .contains("Subject: from smtplib\n").contains("Sent by Python's smtplib.\n");
    }

    @Test
    void mailForOtherDomainsFromAnAuthorizedNetworkIsKeptInTheErrorRepository() throws Exception {
        List<String> replies = typedSession("EHLO localhost", "MAIL FROM:<alice@example.test>", "RCPT TO:<carol@elsewhere.example>",
                "DATA", "Subject: out", "", "outbound", ".", "QUIT");
        assertThat(replies.get(3)).startsWith("250");
        assertThat(replies.get(5)).startsWith("250");
        Path kept = TestInstallation.awaitFiles(dir.resolve("var/error"), 1).get(0);
        String content = Files.readString(kept);
        assertThat(content).contains("recipient: carol%40elsewhere.example").contains("error: no+local+mailbox").containsPattern("outbound\\r\\n\\n%%POSTLET-END [0-9a-f]{8}\\n$");
    }
}
