package org.postlet.mailets.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.TemporaryFailureException;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;

/**
 * LmtpDelivery's per-recipient outcomes against a scripted LMTP server on a loopback socket, for
 * the replies a real Dovecot gives only in rare states (a 4xx for one recipient, a mix of 4xx and
 * 5xx), and DATA's encoding byte by byte. {@link LmtpDeliveryDovecotIT} runs it against Dovecot.
 */
class LmtpDeliveryTest {

    private final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test").build();
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** A one-connection LMTP server answering RCPTs and DATA per recipient from {@code replies}. */
    private int serve(Map<String, String> rcptReplies, Map<String, String> dataReplies) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                out.write("220 lmtp.test LMTP ready\r\n".getBytes(StandardCharsets.US_ASCII));
                List<String> accepted = new ArrayList<>();
                String line;
                while ((line = in.readLine()) != null) {
                    received.add(line);
                    String reply;
                    if (line.startsWith("LHLO")) {
                        reply = "250-lmtp.test\r\n250-8BITMIME\r\n250 PIPELINING";
                    } else if (line.startsWith("RCPT TO:<")) {
                        String r = line.substring(9, line.length() - 1);
                        reply = rcptReplies.getOrDefault(r, "250 2.1.5 OK");
                        if (reply.startsWith("2")) {
                            accepted.add(r);
                        }
                    } else if (line.equals("DATA")) {
                        out.write("354 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
                        // raw, to see every CR and LF: up to and with the CRLF.CRLF that ends it
                        StringBuilder data = new StringBuilder("\r\n");
                        while (!data.toString().endsWith("\r\n.\r\n")) {
                            data.append((char) in.read());
                        }
                        received.add("DATA:" + data.substring(2, data.length() - 3));
                        StringBuilder replies = new StringBuilder();
                        for (String r : accepted) {
                            replies.append(dataReplies.getOrDefault(r, "250 2.0.0 <" + r + "> saved")).append("\r\n");
                        }
                        out.write(replies.toString().getBytes(StandardCharsets.US_ASCII));
                        continue;
                    } else if (line.equals("QUIT")) {
                        out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                        return;
                    } else {
                        reply = "250 2.0.0 OK";
                    }
                    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                received.add("server failed: " + e);
            }
        }, "scripted-lmtp");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private LmtpDelivery mailet(int port) throws Exception {
        LmtpDelivery mailet = new LmtpDelivery(new MetricRegistry());
        mailet.init(FakeMailetConfig.builder().mailetName("LmtpDelivery").context(context).parameter("port", port).build());
        return mailet;
    }

    @Test
    void aRecipientDeferredAfterDataIsRetriedAloneAndTheOthersAreDone() throws Exception {
        int port = serve(Map.of(), Map.of("bob@example.test", "452 4.2.2 <bob@example.test> Mailbox is full"));
        FakeMail m = FakeMail.builder().name("Q1").sender("carol@example.com").recipients("alice@example.test", "bob@example.test")
                .message("Subject: x\r\n\r\nbody\r\n").build();

        assertThatThrownBy(() -> mailet(port).service(m)).isInstanceOf(TemporaryFailureException.class)
                .hasMessageContaining("bob@example.test: 452 4.2.2");
        assertThat(m.recipients()).containsExactly(new MailAddress("bob", "example.test"));
        assertThat(received).contains("LHLO mx.example.test", "MAIL FROM:<carol@example.com> BODY=8BITMIME",
                "RCPT TO:<alice@example.test>", "RCPT TO:<bob@example.test>");
    }

    @Test
    void aRefusedAndADeferredRecipientGoTheirOwnWays() throws Exception {
        int port = serve(Map.of("x@example.test", "550 5.1.1 <x@example.test> User doesn't exist"),
                Map.of("bob@example.test", "451 4.3.0 Temporary internal error"));
        FakeMail m = FakeMail.builder().name("Q2").sender("carol@example.com")
                .recipients("alice@example.test", "x@example.test", "bob@example.test").message("Subject: x\r\n\r\nbody\r\n").build();

        assertThatThrownBy(() -> mailet(port).service(m)).isInstanceOf(TemporaryFailureException.class);
        assertThat(m.recipients()).containsExactly(new MailAddress("bob", "example.test"));
        assertThat(context.sentMails()).singleElement().satisfies(sent -> {
            assertThat(sent.recipients()).containsExactly(new MailAddress("x", "example.test"));
            assertThat(sent.state()).isEqualTo(ProcessingState.ERROR);
        });
    }

    @Test
    void onlyRefusedRecipientsFailTheMailWithTheServersReply() throws Exception {
        int port = serve(Map.of("x@example.test", "550 5.1.1 <x@example.test> User doesn't exist"), Map.of());
        FakeMail m = FakeMail.builder().name("Q3").recipients("x@example.test").message("Subject: x\r\n\r\nbody\r\n").build();

        assertThatThrownBy(() -> mailet(port).service(m)).isInstanceOf(MailetException.class)
                .hasMessageContaining("x@example.test: 550 5.1.1 <x@example.test> User doesn't exist");
        assertThat(received).as("no DATA without an accepted recipient").noneMatch(l -> l.startsWith("DATA"));
    }

    @Test
    void dataIsSentWithCrlfLineEndsAndDotStuffed() throws Exception {
        int port = serve(Map.of(), Map.of());
        FakeMail m = FakeMail.builder().name("Q4").recipients("alice@example.test")
                .message("Subject: x\r\n\r\n.dot\r\n.\r\nbare lf\nend".getBytes(StandardCharsets.US_ASCII)).build();

        mailet(port).service(m);

        assertThat(m.state()).isEqualTo(ProcessingState.GHOST);
        assertThat(received).anySatisfy(l -> assertThat(l).startsWith("DATA:").isEqualTo("DATA:Subject: x\r\n\r\n..dot\r\n..\r\nbare lf\r\nend\r\n"));
    }

    @Test
    void socketAndHostTogetherAreRefused() {
        LmtpDelivery mailet = new LmtpDelivery(new MetricRegistry());
        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("LmtpDelivery").context(context)
                .parameter("socket", "/run/lmtp").parameter("host", "x").build()))
                .isInstanceOf(MailetException.class).hasMessageContaining("either 'socket' or 'host' and 'port'");
    }
}
