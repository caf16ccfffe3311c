package org.postlet.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.server.durability.RawSmtp;
import org.postlet.server.testing.EightBitBody;
import org.postlet.testsupport.dns.ScriptedDns;

/**
 * A real Postfix as the remote MX: Postlet (in this JVM) finds it through DNS (dnsmasq: MX of
 * remote.test is mx.remote.test, 127.0.0.2) and delivers with RemoteDelivery, {@code tls: encrypt},
 * to a private Postfix instance ({@link PrivatePostfix}) that takes mail for carol@remote.test
 * into a Maildir and refuses everyone else with 550. What Postfix logs and stores shows that the
 * mail came over TLS in BDAT chunks, 8-bit content intact, each message exactly once, and the
 * refused recipient comes back to the sender as a report.
 */
class PostfixRemoteMxIT {

    @TempDir
    Path dir;

    private ScriptedDns dns;
    private PrivatePostfix postfix;
    private PostletServer postlet;

    @BeforeEach
    void requirements() throws Exception {
        PrivatePostfix.requireIt();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (postlet != null) {
                postlet.close();
            }
            if (dns != null) {
                dns.close();
            }
        } finally {
            if (postfix != null) {
                postfix.close(); // fails the test if a process of the instance outlived 'postfix stop'
                assertThat(postfix.processesStopped()).as("the master and daemons found to stop").isGreaterThan(1);
                assertThat(postfix.anyProcessAlive()).isFalse();
            }
        }
    }

    private void startPostlet() throws Exception {
        dns = ScriptedDns.builder().mx("remote.test", "mx.remote.test", 10).host("mx.remote.test", "127.0.0.2").start();
        postlet = SendingPostlet.start(dir, dns, postfix.port(), ", tls: encrypt", "retry: { delay: 1s, maxDelay: 1s }");
    }

    @Test
    void postfixGetsEachMessageOnceOverTlsInBdatChunksAndARefusedRecipientComesBackToTheSender() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        postfix = PrivatePostfix.start(Files.createDirectories(dir.resolve("postfix")), "remote.test",
                List.of("carol@remote.test"));
        startPostlet();

        String plain = "From: alice@example.test\r\nTo: carol@remote.test, nobody@remote.test\r\n"
                + "Subject: to postfix\r\nMessage-ID: <plain-1@example.test>\r\n\r\nHello Postfix\r\n"
                + ".a line with a leading dot\r\n";
        ByteArrayOutputStream eightBit = new ByteArrayOutputStream();
        eightBit.writeBytes(("From: alice@example.test\r\nTo: carol@remote.test\r\nSubject: eight bit\r\n"
                + "Message-ID: <eight-1@example.test>\r\n" + EightBitBody.HEADER + "\r\n").getBytes(StandardCharsets.US_ASCII));
        eightBit.writeBytes(EightBitBody.bytes());
        try (RawSmtp smtp = new RawSmtp(postlet.port("mx"), 15_000)) {
            RawSmtp.Outcome first = smtp.send("alice@example.test", List.of("carol@remote.test", "nobody@remote.test"), plain);
            assertThat(first.accepted()).as("%s", first).isTrue();
            RawSmtp.Outcome second = smtp.send("alice@example.test", List.of("carol@remote.test"),
                    eightBit.toString(StandardCharsets.ISO_8859_1), " BODY=8BITMIME");
            assertThat(second.accepted()).as("%s", second).isTrue();
        }

        List<byte[]> carol = postfix.awaitMailbox("carol", 2, Duration.ofSeconds(30));
        assertThat(carol).as("carol's Maildir at Postfix; its log:\n%s", postfix.log()).hasSize(2);
        String report = alicesMail(Duration.ofSeconds(30));
        assertThat(report).contains("Final-Recipient: rfc822; nobody@remote.test", "Action: failed", "Status: 5.1.1",
                "Remote-MTA: dns; mx.remote.test", "Diagnostic-Code: smtp; 550 5.1.1 <nobody@remote.test>",
                "User unknown in virtual mailbox table");

        Thread.sleep(2000); // a retry interval and more: nothing may arrive twice
        List<String> texts = new ArrayList<>();
        for (byte[] m : postfix.mailbox("carol")) {
            texts.add(new String(m, StandardCharsets.ISO_8859_1));
        }
        assertThat(texts).hasSize(2);
        assertThat(texts).filteredOn(t -> t.contains("Message-ID: <plain-1@example.test>")).singleElement()
                .satisfies(t -> assertThat(t).contains("Subject: to postfix", "\n.a line with a leading dot\n",
                        "by mx.remote.test (Postfix) with ESMTPS", "Received: from mx.example.test"));
        // Postfix's Maildir has LF line ends; every octet of the 8-bit body arrived as it was.
        byte[] body = new String(EightBitBody.bytes(), StandardCharsets.ISO_8859_1).replace("\r\n", "\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(texts).filteredOn(t -> t.contains("Message-ID: <eight-1@example.test>")).singleElement()
                .satisfies(t -> assertThat(t).endsWith(new String(body, StandardCharsets.ISO_8859_1)));

        // Postfix logs a session's commands when it ends; Postlet keeps its connection open for reuse until it stops.
        postlet.close();
        postlet = null;
        String log = awaitSessionsEnded(Duration.ofSeconds(20));
        assertThat(log).contains("TLS connection established from");
        Matcher disconnect = Pattern.compile("disconnect from \\S+ (.*)").matcher(log);
        int bdat = 0;
        while (disconnect.find()) {
            String commands = disconnect.group(1);
            if (commands.equals("commands=0/0")) {
                continue; // the probe that waited for Postfix to listen
            }
            assertThat(commands).as("commands of a session").contains("starttls=1").doesNotContain(" data=");
            Matcher m = Pattern.compile("bdat=(\\d+)").matcher(commands);
            bdat += m.find() ? Integer.parseInt(m.group(1)) : 0;
        }
        assertThat(bdat).as("BDAT commands in Postfix's log:\n%s", log).isEqualTo(2);
        assertThat(Pattern.compile("status=sent \\(delivered to maildir\\)").matcher(log).results().count()).isEqualTo(2);
    }

    /** Postfix's log once every SMTP session it logged a connect of has ended (or at the timeout). */
    private String awaitSessionsEnded(Duration timeout) throws Exception {
        Pattern connect = Pattern.compile("smtpd\\[\\d+\\]: connect from");
        Pattern disconnect = Pattern.compile("smtpd\\[\\d+\\]: disconnect from");
        long end = System.nanoTime() + timeout.toNanos();
        String log = postfix.log();
        while (connect.matcher(log).results().count() > disconnect.matcher(log).results().count()
                && System.nanoTime() < end) {
            Thread.sleep(100);
            log = postfix.log();
        }
        return log;
    }

    /** The one report in alice's Maildir at Postlet, waiting for it. */
    private String alicesMail(Duration timeout) throws Exception {
        Path inbox = dir.resolve("var/mail/example.test/alice/new");
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Files.isDirectory(inbox)) {
                try (Stream<Path> files = Files.list(inbox)) {
                    List<Path> all = files.toList();
                    if (!all.isEmpty()) {
                        assertThat(all).hasSize(1);
                        return Files.readString(all.get(0), StandardCharsets.UTF_8);
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no report for alice within " + timeout + "; Postfix's log:\n" + postfix.log());
    }
}
