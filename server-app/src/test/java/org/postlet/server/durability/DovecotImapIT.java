package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.server.testing.EightBitBody;
import org.postlet.testsupport.Prerequisites;

/**
 * Issue 5: what Postlet stores, a real Dovecot serves as it is. Postlet (in this JVM) and Debian's
 * Dovecot (a separate process running the shipped {@code packaging/dovecot/postlet-dovecot.conf}, or
 * its 2.4 variant, with only the lines marked {@code ADAPT} changed, so CI proves the file users
 * copy) share one maildir root and users.passwd; a message sent over SMTP
 * with jakarta.mail comes back over IMAP byte for byte, below the trace headers Postlet adds, and
 * a message the pipeline files into Junk shows in the IMAP folder Junk.
 *
 * <p>Dovecot never lets a mail process run as root, and Postlet keeps maildirs private (0700), so in
 * production both run as the same mail user. The test JVM is root (as in CI): it hands the maildir
 * tree to {@code nobody} after delivery, and Dovecot accesses mail as {@code nobody}.
 */
class DovecotImapIT {

    private static final Path DOVECOT = Path.of("/usr/sbin/dovecot");
    private static final Path DOVEADM = Path.of("/usr/bin/doveadm");

    /** alice gets her mail in INBOX; anything for bob goes to his Junk folder (Maildir++ .Junk). */
    private static final String PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: "org.postlet.server.pipeline.TestMailets$LocalPartStartsWith=bob", class: LocalDelivery, folder: Junk }
                  - { match: RecipientIsLocal, class: LocalDelivery }
                  - { match: All, class: ToProcessor, processor: error }
              - state: error
                mailets:
                  - { match: All, class: ToRepository, path: ../var/error }
            """;

    /**
     * What the client sends, CRLF as on the wire: a folded header, a line that needs dot-stuffing,
     * trailing white space, quoted-printable UTF-8 in a multipart, and an empty last line.
     */
    private static final String SENT = String.join("\r\n",
            "From: Carol Sender <carol@example.com>",
            "To: alice@example.test, bob@example.test",
            "Subject: Dovecot round trip",
            "Message-ID: <dovecot-roundtrip-1@example.com>",
            "Date: Mon, 30 Nov 2026 10:00:00 +0000",
            "X-Folded: first part of a long header value",
            "\tcontinued on a second line",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"b1\"",
            "",
            "--b1",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Gr=C3=BC=C3=9Fe, Alice!",
            ".a line that starts with a dot",
            "..and one with two",
            "trailing spaces   ",
            "",
            "--b1",
            "Content-Type: text/html; charset=UTF-8",
            "",
            "<p>hello</p>",
            "--b1--",
            "",
            "");

    @TempDir
    Path dir;

    private PostletServer postlet;
    private Process dovecot;
    private Path dovecotConf;

    /** The shipped configurations DovecotImapIT runs, by Dovecot version. */
    private static final Path PACKAGING = PostletProcess.HOME.resolve("packaging/dovecot");

    private Path shippedConf;
    private boolean dovecot24;

    @BeforeEach
    void requirements() throws Exception {
        Prerequisites.require(Files.isExecutable(DOVECOT) && Files.isExecutable(DOVEADM),
                "Dovecot is not installed (/usr/sbin/dovecot, /usr/bin/doveadm; apt-get install dovecot-imapd, as .ci/run does)");
        Prerequisites.require(Prerequisites.root(),
                "this test starts Dovecot as root and lets it access mail as 'nobody' (as in CI); the current user is not root");
        String version = run(DOVECOT.toString(), "--version").strip();
        dovecot24 = version.startsWith("2.4.");
        Prerequisites.require(version.startsWith("2.3.") || dovecot24,
                "packaging/dovecot has configurations for Dovecot 2.3 and 2.4; found Dovecot " + version);
        shippedConf = PACKAGING.resolve(dovecot24 ? "postlet-dovecot-2.4.conf" : "postlet-dovecot.conf");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (postlet != null) {
                postlet.close();
            }
        } finally {
            if (dovecot != null) {
                if (dovecotConf != null) {
                    new ProcessBuilder(DOVEADM.toString(), "-c", dovecotConf.toString(), "stop")
                            .redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
                }
                if (!dovecot.waitFor(10, TimeUnit.SECONDS)) {
                    dovecot.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void dovecotServesWhatPostletDeliveredByteForByteAndShowsTheJunkFolder() throws Exception {
        // Dovecot's unprivileged processes (auth, login, mail as nobody) must reach the files below dir.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Installation inst = Installation.create(dir, 0, PIPELINE);
        postlet = PostletServer.start(inst.conf, dir);
        int smtpPort = postlet.port("mx");

        byte[] sent = SENT.getBytes(StandardCharsets.UTF_8);
        sendWithJakartaMail(smtpPort, sent, "carol@example.com", "alice@example.test", "bob@example.test");

        Path aliceFile = Installation.awaitMessages(inst.inbox("alice"), 1, Duration.ofSeconds(20)).get(0);
        Path bobJunkFile = Installation.awaitMessages(inst.inbox("bob").resolve(".Junk"), 1, Duration.ofSeconds(20)).get(0);
        assertThat(Installation.messages(inst.inbox("bob"))).as("bob's INBOX: his copy went to Junk only").isEmpty();
        assertThat(inst.inbox("bob").resolve(".Junk/maildirfolder")).as("Maildir++ marker of the Junk folder").exists();
        long aliceS = sizeFromName(aliceFile);
        assertThat(aliceS).as("the ,S= size in %s is the size of the file", aliceFile.getFileName()).isEqualTo(Files.size(aliceFile));
        assertThat(sizeFromName(bobJunkFile)).as("the ,S= size in %s", bobJunkFile.getFileName()).isEqualTo(Files.size(bobJunkFile));
        byte[] onDisk = Files.readAllBytes(aliceFile);
        assertThat(new String(onDisk, StandardCharsets.UTF_8)).as("stored file (LF line endings, trace headers first)")
                .startsWith("Return-Path: <carol@example.com>\nDelivered-To: alice@example.test\nReceived: ")
                .doesNotContain("\r\n");

        int imapPort = stopPostletAndStartDovecot(inst);
        Session session = imapSession();

        byte[] aliceImap;
        Store store = login(session, imapPort, "alice@example.test", "alice");
        try {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).as("messages in alice's INBOX over IMAP").isEqualTo(1);
            IMAPMessage m = (IMAPMessage) inbox.getMessage(1);
            aliceImap = rawBody(inbox, 1);
            assertTraceHeadersThenExactly(aliceImap, sent, "alice@example.test");
            assertThat(m.getSize()).as("Dovecot's RFC822.SIZE is the CRLF size of what it sends").isEqualTo(aliceImap.length);
            assertThat((long) m.getSize()).as("RFC822.SIZE = ,S= (LF size on disk) + one CR per line")
                    .isEqualTo(aliceS + count(onDisk, (byte) '\n'));
            ByteArrayOutputStream viaWriteTo = new ByteArrayOutputStream();
            m.writeTo(viaWriteTo);
            assertTraceHeadersThenExactly(viaWriteTo.toByteArray(), sent, "alice@example.test");
            assertThat(m.getMessageID()).isEqualTo("<dovecot-roundtrip-1@example.com>");
            assertThat(m.getHeader("X-Folded", null)).isEqualTo("first part of a long header value\r\n\tcontinued on a second line");
            inbox.close(false);
        } finally {
            store.close();
        }

        store = login(session, imapPort, "bob@example.test", "bob");
        try {
            List<String> names = new ArrayList<>();
            for (Folder f : store.getDefaultFolder().list("*")) {
                names.add(f.getFullName());
            }
            assertThat(names).as("bob's IMAP folders").contains("INBOX", "Junk");
            Folder bobInbox = store.getFolder("INBOX");
            bobInbox.open(Folder.READ_ONLY);
            assertThat(bobInbox.getMessageCount()).as("messages in bob's INBOX over IMAP").isZero();
            bobInbox.close(false);
            IMAPFolder junk = (IMAPFolder) store.getFolder("Junk");
            junk.open(Folder.READ_ONLY);
            assertThat(junk.getMessageCount()).as("messages in bob's Junk over IMAP").isEqualTo(1);
            byte[] bobImap = rawBody(junk, 1);
            assertTraceHeadersThenExactly(bobImap, sent, "bob@example.test");
            assertThat(junk.getMessage(1).getSize()).isEqualTo(bobImap.length);
            junk.close(false);
        } finally {
            store.close();
        }

        // Dovecot's own view of the physical size agrees with the name Postlet gave the file.
        String physical = run(DOVEADM.toString(), "-c", dovecotConf.toString(), "fetch", "-u", "alice@example.test",
                "size.physical", "mailbox", "INBOX", "all");
        assertThat(physical).as("doveadm fetch size.physical").contains("size.physical: " + aliceS);
    }

    @Test
    void anEightBitBodyComesBackOverImapByteForByte() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Installation inst = Installation.create(dir, 0, PIPELINE);
        postlet = PostletServer.start(inst.conf, dir);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(("From: Carol Sender <carol@example.com>\r\nTo: alice@example.test\r\nSubject: eight bit\r\n"
                + EightBitBody.HEADER + "\r\n").getBytes(StandardCharsets.US_ASCII));
        message.writeBytes(EightBitBody.bytes());
        byte[] sent = message.toByteArray();
        try (RawSmtp smtp = new RawSmtp(postlet.port("mx"), 15_000)) {
            RawSmtp.Outcome o = smtp.send("carol@example.com", List.of("alice@example.test"),
                    new String(sent, StandardCharsets.ISO_8859_1), " BODY=8BITMIME");
            assertThat(o.accepted()).as("%s", o).isTrue();
        }
        Installation.awaitMessages(inst.inbox("alice"), 1, Duration.ofSeconds(20));
        int imapPort = stopPostletAndStartDovecot(inst);
        Store store = login(imapSession(), imapPort, "alice@example.test", "alice");
        try {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            assertTraceHeadersThenExactly(rawBody(inbox, 1), sent, "alice@example.test");
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    /**
     * Stops Postlet, hands its maildir tree to {@code nobody} (it ran as root here; in production
     * both run as the same user) and starts Dovecot; returns the IMAP port.
     */
    private int stopPostletAndStartDovecot(Installation inst) throws Exception {
        postlet.close();
        postlet = null;
        String[] nobody = {run("id", "-u", "nobody").strip(), run("id", "-g", "nobody").strip()};
        run("chown", "-R", nobody[0] + ":" + nobody[1], inst.maildir.toString());
        return startDovecot(inst, nobody);
    }

    private static Session imapSession() {
        Properties props = new Properties();
        props.put("mail.imap.connectiontimeout", "10000");
        props.put("mail.imap.timeout", "10000");
        return Session.getInstance(props);
    }

    /** An IMAP login; when it fails, the failure shows Dovecot's log. */
    private Store login(Session session, int port, String user, String password) throws Exception {
        Store store = session.getStore("imap");
        try {
            store.connect("127.0.0.1", port, user, password);
        } catch (jakarta.mail.MessagingException e) {
            throw new AssertionError("IMAP login of " + user + " failed: " + e + "\n" + dovecotLog(dovecotConf.getParent()), e);
        }
        return store;
    }

    /** SMTPTransport.sendMessage (unlike Transport.send) sends the parsed message without re-encoding it. */
    private static void sendWithJakartaMail(int port, byte[] raw, String from, String... to) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.from", from);
        props.put("mail.smtp.localhost", "client.example");
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "10000");
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(raw));
        Address[] recipients = new Address[to.length];
        for (int i = 0; i < to.length; i++) {
            recipients[i] = new InternetAddress(to[i]);
        }
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect();
            transport.sendMessage(message, recipients);
        }
    }

    /** BODY.PEEK[] of one message: exactly the bytes Dovecot serves. */
    private static byte[] rawBody(IMAPFolder folder, int number) throws Exception {
        return (byte[]) folder.doCommand(protocol -> {
            BODY body = protocol.peekBody(number, "");
            if (body == null) {
                throw new ProtocolException("no BODY[] in the FETCH response");
            }
            try (InputStream in = body.getByteArrayInputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new ProtocolException(e.toString());
            }
        });
    }

    /**
     * The fetched message is Return-Path, Delivered-To and Received (the only additions Postlet
     * makes) followed by exactly the bytes sent.
     */
    private static void assertTraceHeadersThenExactly(byte[] fetched, byte[] sent, String recipient) {
        // ISO-8859-1 maps each octet to one char: comparing the strings compares the bytes.
        String text = new String(fetched, StandardCharsets.ISO_8859_1);
        String expectedTail = new String(sent, StandardCharsets.ISO_8859_1);
        assertThat(text).as("what Dovecot serves for %s ends with exactly the bytes sent", recipient).endsWith(expectedTail);
        String prefix = text.substring(0, text.length() - expectedTail.length());
        assertThat(prefix).as("headers added above the sent message").startsWith(
                "Return-Path: <carol@example.com>\r\nDelivered-To: " + recipient + "\r\nReceived: ");
        List<String> fieldNames = new ArrayList<>();
        for (String line : prefix.split("\r\n")) {
            if (!line.startsWith(" ") && !line.startsWith("\t")) {
                fieldNames.add(line.substring(0, line.indexOf(':')));
            }
        }
        assertThat(fieldNames).as("header fields added by Postlet").containsExactly("Return-Path", "Delivered-To", "Received");
    }

    private int startDovecot(Installation inst, String[] mailUser) throws Exception {
        Path home = Files.createDirectories(dir.resolve("dovecot"));
        Files.createDirectories(home.resolve("run"));
        Files.createDirectories(home.resolve("state"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path mailRoot = inst.maildir.toAbsolutePath();
        dovecotConf = home.resolve("dovecot.conf");
        Files.writeString(dovecotConf, adapt(Files.readString(shippedConf, StandardCharsets.UTF_8), mailRoot,
                inst.conf.resolve("users.passwd").toAbsolutePath(), mailUser, port) + """

                # DovecotImapIT: everything Dovecot writes stays in the test folder.
                base_dir = %s
                state_dir = %s
                log_path = %s
                """.formatted(home.resolve("run"), home.resolve("state"), home.resolve("dovecot.log")),
                StandardCharsets.UTF_8);
        dovecot = new ProcessBuilder(DOVECOT.toString(), "-F", "-c", dovecotConf.toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("stdout").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!dovecot.isAlive()) {
                throw new AssertionError("Dovecot exited with " + dovecot.exitValue() + ":\n" + dovecotLog(home));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(5000);
                byte[] greeting = new byte[64];
                int n = s.getInputStream().read(greeting);
                if (n > 0 && new String(greeting, 0, n, StandardCharsets.US_ASCII).startsWith("* OK")) {
                    return port;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Dovecot did not greet on 127.0.0.1:" + port + " within 20 s:\n" + dovecotLog(home));
    }

    /**
     * The shipped configuration with each line marked {@code # ADAPT: label} set for this test:
     * loopback only, the test's maildir and users file, the mail user, the port, and plain-text
     * IMAP instead of TLS. A marked line this test does not know fails the test, so the file and
     * the test cannot drift apart.
     */
    private String adapt(String shipped, Path mailRoot, Path users, String[] mailUser, int port) {
        StringBuilder b = new StringBuilder();
        Pattern marked = Pattern.compile("^(\\s*)([\\w:]+)\\s*=.*#\\s*ADAPT: (.+)$");
        String root = mailRoot.toString();
        String maildir = dovecot24 ? root + "/%{user | domain}/%{user | username}" : root + "/%d/%n";
        boolean tlsDone = false;
        for (String line : shipped.split("\n", -1)) {
            Matcher m = marked.matcher(line);
            if (!m.matches()) {
                b.append(line).append('\n');
                continue;
            }
            String indent = m.group(1);
            String key = m.group(2);
            String value = switch (m.group(3).strip()) {
                case "listen" -> "127.0.0.1";
                case "mail user" -> mailUser[0];
                case "mail group" -> mailUser[1];
                case "maildir root" -> key.equals("mail_location") ? "maildir:" + maildir : maildir;
                case "users file" -> users.toString();
                case "IMAP port" -> Integer.toString(port);
                case "IMAPS port" -> "0";
                case "TLS" -> null;
                default -> throw new AssertionError(shippedConf + ": a line marked ADAPT that DovecotImapIT does not know: " + line);
            };
            if (value != null) {
                b.append(indent).append(key).append(" = ").append(value).append('\n');
            } else if (!tlsDone) {
                tlsDone = true; // the test's client logs in without TLS
                b.append("ssl = no\n").append(dovecot24 ? "auth_allow_cleartext = yes\n" : "disable_plaintext_auth = no\n");
            }
        }
        return b.toString();
    }

    private static String dovecotLog(Path home) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("stdout", "dovecot.log")) {
            Path p = home.resolve(f);
            if (Files.exists(p)) {
                b.append("--- ").append(f).append('\n').append(Files.readString(p));
            }
        }
        return b.toString();
    }

    private static long sizeFromName(Path file) {
        Matcher m = Pattern.compile(",S=(\\d+)").matcher(file.getFileName().toString());
        assertThat(m.find()).as("maildir file name %s carries ,S=<size>", file.getFileName()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long count(byte[] bytes, byte b) {
        long n = 0;
        for (byte x : bytes) {
            if (x == b) {
                n++;
            }
        }
        return n;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 30 s");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }
}
