package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.testsupport.smtp.FakeSmtpServer;

/**
 * SIGKILL while RemoteDelivery works through a queue of outbound mail: after each restart the
 * server runs again the mails whose end the spool had not recorded, and a remote recipient that
 * already had a message must not get it again. The kills come while the remote holds back its
 * answer to the RSET that follows a message it took: the mail is not done for the spool, yet
 * delivered.
 */
class RemoteDeliveryCrashIT {

    private static final int MESSAGES = 24;
    private static final Set<Integer> KILL_AT_TRANSACTION = Set.of(4, 11, 18);
    private static final Pattern SUBJECT = Pattern.compile("Subject: (m\\d+)");

    @TempDir
    Path dir;

    @Test
    void noRemoteRecipientGetsAMessageTwiceAcrossSigkills() throws Exception {
        SynchronousQueue<Integer> killRequests = new SynchronousQueue<>();
        AtomicInteger transactions = new AtomicInteger();
        try (FakeSmtpServer remote = FakeSmtpServer.builder().rsetReply(line -> {
            int n = transactions.incrementAndGet();
            if (KILL_AT_TRANSACTION.contains(n)) {
                try {
                    killRequests.put(n);
                    Thread.sleep(60_000); // the server dies meanwhile; this connection with it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return "250 2.0.0 ok";
        }).start()) {
            int port = Installation.freePort();
            Installation inst = Installation.create(dir, port, """
                    processors:
                      - state: root
                        mailets:
                          - { match: RecipientIsLocal, class: LocalDelivery }
                          - { match: All, class: RemoteDelivery, gateway: "127.0.0.1:%d", tls: none, connectionsPerDomain: 1 }
                      - state: error
                        mailets:
                          - { match: All, class: ToRepository, path: ../var/error }
                    """.formatted(remote.port()));
            List<PostletProcess> incarnations = new ArrayList<>();
            PostletProcess server = PostletProcess.start(inst.conf, dir.resolve("postlet-0.log"), Duration.ofSeconds(60));
            incarnations.add(server);
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    send(port, "m" + i);
                }
                for (int k = 1; k <= KILL_AT_TRANSACTION.size(); k++) {
                    Integer at = killRequests.poll(60, TimeUnit.SECONDS);
                    assertThat(at).as("kill point " + k + " reached").isNotNull();
                    server.kill();
                    server = PostletProcess.start(inst.conf, dir.resolve("postlet-" + k + ".log"), Duration.ofSeconds(60));
                    incarnations.add(server);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (delivered(remote).size() < MESSAGES && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(2000); // a duplicate would come now, with the retries
                Map<String, Integer> copies = new TreeMap<>();
                for (FakeSmtpServer.Message m : remote.messages()) {
                    for (String r : m.recipients()) {
                        copies.merge(subject(m) + " " + r, 1, Integer::sum);
                    }
                }
                assertThat(delivered(remote)).hasSize(MESSAGES);
                assertThat(copies).hasSize(MESSAGES * 2).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1));
                assertThat(transactions.get()).isGreaterThanOrEqualTo(MESSAGES);
            } finally {
                incarnations.forEach(PostletProcess::destroyQuietly);
            }
        }
    }

    private static Set<String> delivered(FakeSmtpServer remote) {
        return Set.copyOf(remote.messages().stream().map(RemoteDeliveryCrashIT::subject).toList());
    }

    private static String subject(FakeSmtpServer.Message m) {
        Matcher matcher = SUBJECT.matcher(m.text());
        return matcher.find() ? matcher.group(1) : "?";
    }

    private static void send(int port, String subject) throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(port));
        MimeMessage m = new MimeMessage(Session.getInstance(p));
        m.setFrom(new InternetAddress("alice@example.test"));
        m.addRecipient(Message.RecipientType.TO, new InternetAddress("x@remote.test"));
        m.addRecipient(Message.RecipientType.TO, new InternetAddress("y@remote.test"));
        m.setSubject(subject);
        m.setText("body of " + subject + "\r\n");
        Transport.send(m);
    }
}
