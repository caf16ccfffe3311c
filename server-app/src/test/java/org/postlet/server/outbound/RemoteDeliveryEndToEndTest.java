package org.postlet.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.server.metrics.MetricsScrape;
import org.postlet.testsupport.TcpRelay;
import org.postlet.testsupport.dns.ScriptedDns;
import org.postlet.testsupport.smtp.FakeSmtpServer;

/**
 * The whole way out, in one JVM: a client submits to Postlet over SMTP, the pipeline hands the
 * mail to RemoteDelivery, which finds the remote MX through a real DNS server (dnsmasq) and
 * delivers to a scripted SMTP server on loopback; failures come back to the local sender as
 * reports in her Maildir.
 */
class RemoteDeliveryEndToEndTest {

    @TempDir
    Path dir;

    private ScriptedDns dns;
    private FakeSmtpServer remote;
    private PostletServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (remote != null) {
            remote.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private void start(FakeSmtpServer remoteMx, String retry) throws Exception {
        start(remoteMx, retry, "");
    }

    /** With {@code parameters} ({@code , key: value} ...) added to the RemoteDelivery step. */
    private void start(FakeSmtpServer remoteMx, String retry, String parameters) throws Exception {
        remote = remoteMx;
        dns = ScriptedDns.builder().mx("remote.test", "mx.remote.test", 10).host("mx.remote.test", "127.0.0.1").start();
        server = SendingPostlet.start(dir, dns, remote.port(), parameters, "retry: " + retry);
    }

    private void send(String... recipients) throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(server.port("mx")));
        MimeMessage m = new MimeMessage(Session.getInstance(p));
        m.setFrom(new InternetAddress("alice@example.test"));
        for (String r : recipients) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(r));
        }
        m.setSubject("outbound");
        m.setText("Hello\r\n.a line with a leading dot\r\n");
        Transport.send(m);
    }

    /** Alice's messages, waiting up to {@code timeout} for {@code count}. */
    private List<String> alicesMail(int count, Duration timeout) throws Exception {
        Path inbox = dir.resolve("var/mail/example.test/alice/new");
        long end = System.nanoTime() + timeout.toNanos();
        List<String> texts = new ArrayList<>();
        while (System.nanoTime() < end) {
            texts.clear();
            if (Files.isDirectory(inbox)) {
                try (Stream<Path> files = Files.list(inbox)) {
                    for (Path f : files.sorted().toList()) {
                        texts.add(Files.readString(f, StandardCharsets.UTF_8));
                    }
                }
            }
            if (texts.size() >= count) {
                return texts;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("alice expected " + count + " message(s) within " + timeout + ", has " + texts.size());
    }

    @Test
    void aRemoteRecipientGetsTheMailAndAnUnknownOneComesBackAsAReport() throws Exception {
        start(FakeSmtpServer.builder().rcptReply(r -> r.startsWith("nobody@") ? "550 5.1.1 <" + r + ">: user unknown"
                : "250 2.1.5 ok").start(), "{ delay: 1s, maxDelay: 1s }");

        send("bob@remote.test", "nobody@remote.test");

        List<FakeSmtpServer.Message> got = remote.awaitMessages(1, Duration.ofSeconds(10));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).sender()).isEqualTo("alice@example.test");
        assertThat(got.get(0).recipients()).containsExactly("bob@remote.test");
        assertThat(got.get(0).helo()).isEqualTo("mx.example.test");
        assertThat(got.get(0).text()).contains("Subject: outbound", "\r\n.a line with a leading dot\r\n",
                "Received: from");

        String report = alicesMail(1, Duration.ofSeconds(10)).get(0);
        assertThat(report).startsWith("Return-Path: <>").contains("Subject: Undelivered Mail Returned to Sender",
                "report-type=delivery-status", "Final-Recipient: rfc822; nobody@remote.test", "Action: failed",
                "Status: 5.1.1", "Remote-MTA: dns; mx.remote.test",
                "Diagnostic-Code: smtp; 550 5.1.1 <nobody@remote.test>: user unknown", "Subject: outbound");
        assertThat(report).doesNotContain("Final-Recipient: rfc822; bob@remote.test");
    }

    @Test
    void aTemporaryFailureIsRetriedForThatRecipientOnly() throws Exception {
        AtomicInteger carolAttempts = new AtomicInteger();
        start(FakeSmtpServer.builder().rcptReply(r -> r.startsWith("carol@") && carolAttempts.incrementAndGet() == 1
                ? "451 4.3.0 try again later" : "250 2.1.5 ok").start(), "{ delay: 1s, maxDelay: 1s }");

        send("bob@remote.test", "carol@remote.test");

        List<FakeSmtpServer.Message> got = remote.awaitMessages(2, Duration.ofSeconds(15));
        assertThat(got).extracting(FakeSmtpServer.Message::recipients)
                .containsExactly(List.of("bob@remote.test"), List.of("carol@remote.test"));
        Thread.sleep(1500); // one more retry interval: nothing else may arrive
        assertThat(remote.messages()).hasSize(2);
        assertThat(Files.exists(dir.resolve("var/mail/example.test/alice/new"))).isFalse();
    }

    @Test
    void aDomainTheTlsTableRequiresTlsForWaitsAndTheReportSaysWhy() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/tls-policies"), "# remote.test must be encrypted\nremote.test encrypt\n");
        start(FakeSmtpServer.builder().start(), "{ delay: 1s, maxDelay: 1s, giveUpAfter: 2s }", // no STARTTLS
                ", tlsPolicies: tls-policies");

        send("carol@remote.test");

        String report = alicesMail(1, Duration.ofSeconds(20)).get(0);
        assertThat(report).contains("gave up", "Action: failed", "tlsPolicies encrypt: mx.remote.test[127.0.0.1]:"
                + remote.port() + " does not offer STARTTLS");
        assertThat(remote.messages()).isEmpty();
        assertThat(remote.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void whenRetriesRunOutTheSenderGetsAReportNotTheErrorRepository() throws Exception {
        start(FakeSmtpServer.builder().rcptReply(r -> "452 4.2.2 mailbox full").start(),
                "{ delay: 1s, maxDelay: 1s, giveUpAfter: 2s }");

        send("carol@remote.test");

        String report = alicesMail(1, Duration.ofSeconds(20)).get(0);
        assertThat(report).contains("gave up", "Action: failed", "Status: 4.2.2",
                "Diagnostic-Code: smtp; 452 4.2.2 mailbox full");
        assertThat(remote.messages()).isEmpty();
        assertThat(remote.commands().stream().filter(c -> c.startsWith("RCPT")).count()).isGreaterThanOrEqualTo(2);
        assertThat(Files.exists(dir.resolve("var/error"))
                && Files.list(dir.resolve("var/error")).findAny().isPresent()).isFalse();
    }

    /** Sends one message over a raw socket, line by line; returns the reply to the final dot. */
    private String rawSession(String... commands) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port("mx"))) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            String last = reply(in);
            for (String command : commands) {
                out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                last = reply(in);
                assertThat(last).as(command).matches("[23].*");
            }
            return last;
        }
    }

    private static String reply(BufferedReader in) throws IOException {
        String line = in.readLine();
        while (line != null && line.length() > 3 && line.charAt(3) == '-') {
            line = in.readLine();
        }
        return line;
    }

    @Test
    void theDsnRequestOfTheClientTravelsWithTheMailToTheRemote() throws Exception {
        start(FakeSmtpServer.builder().extensions("PIPELINING", "8BITMIME", "DSN").rcptReply(r -> r.startsWith("nobody@")
                ? "550 5.1.1 user unknown" : "250 2.1.5 ok").start(), "{ delay: 1s, maxDelay: 1s }");

        rawSession("EHLO client.example", "MAIL FROM:<alice@example.test> RET=HDRS ENVID=QQ314159",
                "RCPT TO:<bob@remote.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@remote.test",
                "RCPT TO:<nobody@remote.test> NOTIFY=NEVER", "DATA", "Subject: dsn\r\n\r\nhello\r\n.");

        List<FakeSmtpServer.Message> got = remote.awaitMessages(1, Duration.ofSeconds(10));
        assertThat(got.get(0).mailFrom()).contains("RET=HDRS", "ENVID=QQ314159");
        assertThat(remote.commands()).contains("RCPT TO:<bob@remote.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@remote.test",
                "RCPT TO:<nobody@remote.test> NOTIFY=NEVER");
        Thread.sleep(1500); // nobody@ failed with NOTIFY=NEVER: no report may come
        assertThat(dir.resolve("var/mail/example.test/alice/new")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    }

    @Test
    void aSecondPostletIsARealRemoteMx() throws Exception {
        // The remote: another Postlet for remote.test on 127.0.0.2, offering STARTTLS with a self-signed key.
        try (PostletServer remotePostlet = startRemotePostlet("carol@remote.test:{PLAIN}carol\n", ", tls: starttls",
                "tls: { keystore: tls/keystore.p12, password: changeit }")) {
            dns = ScriptedDns.builder().mx("remote.test", "mx.remote.test", 10).host("mx.remote.test", "127.0.0.2").start();
            server = SendingPostlet.start(dir, dns, remotePostlet.port("mx"), ", tls: encrypt", "");

            send("carol@remote.test", "nobody@remote.test");

            Path carol = dir.resolve("remote/var/mail/remote.test/carol/new");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while ((!Files.isDirectory(carol) || Files.list(carol).findAny().isEmpty()) && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            String delivered;
            try (Stream<Path> files = Files.list(carol)) {
                delivered = Files.readString(files.findFirst().orElseThrow());
            }
            assertThat(delivered).contains("Return-Path: <alice@example.test>", "Subject: outbound",
                    "by mx.remote.test", "with ESMTPS"); // it came over TLS
            String report = alicesMail(1, Duration.ofSeconds(15)).get(0);
            assertThat(report).contains("Final-Recipient: rfc822; nobody@remote.test", "Action: failed", "Status: 5.1.1",
                    "Remote-MTA: dns; mx.remote.test", "Diagnostic-Code: smtp; 550 5.1.1");
        }
    }

    @Test
    void aSecondPostletTakesTheMailInBdatChunksAndASmugglingPayloadStaysOneMessage() throws Exception {
        // The remote: another Postlet for remote.test on 127.0.0.2, without TLS so the relay sees the commands.
        try (PostletServer remotePostlet = startRemotePostlet("carol@remote.test:{PLAIN}carol\ndave@remote.test:{PLAIN}dave\n",
                "", "");
             TcpRelay wire = new TcpRelay(new InetSocketAddress("127.0.0.2", remotePostlet.port("mx")))) {
            dns = ScriptedDns.builder().mx("remote.test", "mx.remote.test", 10).host("mx.remote.test", "127.0.0.1").start();
            server = SendingPostlet.start(dir, dns, wire.port(), "", "metrics: { http: \"127.0.0.1:0\" }");

            // BDAT takes the bytes as they are: a bare LF before a dot line, and a second transaction after it.
            String smuggling = "Subject: smuggle\r\n\r\nhello\n.\r\nMAIL FROM:<evil@remote.test>\r\n"
                    + "RCPT TO:<dave@remote.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n";
            rawSession("EHLO client.example", "MAIL FROM:<alice@example.test>", "RCPT TO:<carol@remote.test>",
                    "RCPT TO:<nobody@remote.test>", "BDAT " + smuggling.length() + " LAST\r\n" + smuggling);

            Path carol = dir.resolve("remote/var/mail/remote.test/carol/new");
            String report = alicesMail(1, Duration.ofSeconds(15)).get(0);
            assertThat(report).contains("Final-Recipient: rfc822; nobody@remote.test", "Action: failed", "Status: 5.1.1");
            List<Path> delivered;
            try (Stream<Path> files = Files.list(carol)) {
                delivered = files.toList();
            }
            assertThat(delivered).hasSize(1);
            // The Maildir stores lines with LF: the smuggled commands are lines of carol's message.
            assertThat(Files.readString(delivered.get(0))).contains("Subject: smuggle\n", "by mx.remote.test",
                    "hello\n.\nMAIL FROM:<evil@remote.test>\nRCPT TO:<dave@remote.test>\nDATA\n");
            assertThat(dir.resolve("remote/var/mail/remote.test/dave")).doesNotExist();

            String sent = new String(wire.sentByClients(), StandardCharsets.ISO_8859_1);
            assertThat(sent).contains("\r\nRCPT TO:<carol@remote.test>\r\nRCPT TO:<nobody@remote.test>\r\nBDAT ")
                    .contains(" LAST\r\n").doesNotContain("\r\nDATA\r\nReceived:")
                    .contains("hello\r\n.\r\nMAIL FROM:<evil@remote.test>").doesNotContain("hello\n");

            MetricsScrape metrics = MetricsScrape.fetch(server.metricsAddress().orElseThrow().getPort());
            Map<String, String> remote = Map.of("domain", "remote.test");
            assertThat(metrics.value("postlet_remote_domain_delivered_total", remote)).isEqualTo(1.0);
            assertThat(metrics.value("postlet_remote_domain_failed_total", remote)).isEqualTo(1.0);
            assertThat(metrics.value("postlet_remote_domain_deferred_total", remote)).isZero();
            assertThat(metrics.value("postlet_remote_delivered_total")).isEqualTo(1.0);
            assertThat(metrics.value("postlet_remote_failed_total")).isEqualTo(1.0);
        }
    }

    /**
     * Another Postlet, the remote MX of remote.test, on 127.0.0.2 under {@code dir/remote}: its users
     * ({@code users.passwd} lines), options of its listener ({@code , key: value} ...) and lines added
     * to its postlet.yaml. Mail for others goes to its error repository.
     */
    private PostletServer startRemotePostlet(String users, String listenerOptions, String extraYaml) throws Exception {
        Path remoteConf = Files.createDirectories(dir.resolve("remote/conf"));
        Files.writeString(remoteConf.resolve("users.passwd"), users);
        Files.writeString(remoteConf.resolve("postlet.yaml"), """
                hostname: mx.remote.test
                domains: [remote.test]
                smtp:
                  listeners: [ { name: mx, bind: 127.0.0.2, port: 0%s } ]
                  authorizedNetworks: []
                spool: ../var/spool
                storage: { maildir: { root: ../var/mail } }
                %s
                """.formatted(listenerOptions, extraYaml));
        Files.writeString(remoteConf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: RecipientIsLocal, class: LocalDelivery }
                      - { match: All, class: ToRepository, path: ../var/error }
                """);
        return PostletServer.start(remoteConf, dir.resolve("remote"));
    }
}
