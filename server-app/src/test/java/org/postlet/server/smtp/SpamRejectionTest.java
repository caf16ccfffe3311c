package org.postlet.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.IpNetwork;
import org.postlet.mailet.MailAddress;
import org.postlet.mailets.spam.RspamdClient;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.policy.Verdict;
import org.postlet.testsupport.rspamd.LocalRspamd;

/** Which rspamd action is which reply, who smtp.rspamdReject does not ask, and that an absent rspamd defers. */
class SpamRejectionTest {

    @Test
    void mapsRspamdsActionsToReplies() {
        assertThat(reply(SpamRejection.verdict("reject"))).isEqualTo("550 5.7.1 Message refused as spam");
        assertThat(reply(SpamRejection.verdict("soft reject"))).isEqualTo("451 4.7.1 Try again later");
        assertThat(reply(SpamRejection.verdict("greylist"))).isEqualTo("451 4.7.1 Greylisted, try again later");
        for (String action : List.of("no action", "add header", "rewrite subject", "something new")) {
            assertThat(SpamRejection.verdict(action).kind()).as(action).isEqualTo(Verdict.Kind.ACCEPT);
        }
    }

    @Test
    void anUnreachableRspamdDefersStrangersButNotOurOwnClients() throws Exception {
        SpamRejection check = new SpamRejection(RspamdClient.of("http://127.0.0.1:" + LocalRspamd.freePort(), Duration.ofSeconds(5)),
                List.of(IpNetwork.parse("10.0.0.0/8")));

        Verdict stranger = verdict(check, "192.0.2.1", Optional.empty());
        assertThat(reply(stranger)).startsWith("451 4.7.1");
        assertThat(verdict(check, "10.1.2.3", Optional.empty()).kind()).as("an authorized network").isEqualTo(Verdict.Kind.ACCEPT);
        assertThat(verdict(check, "192.0.2.1", Optional.of("alice@example.test")).kind()).as("authenticated")
                .isEqualTo(Verdict.Kind.ACCEPT);
    }

    @Test
    void anRspamdThatAnswersBadlyOrTooLateDefers() throws Exception {
        HttpServer fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fake.createContext("/broken/checkv2", exchange -> {
            byte[] body = "<html>not rspamd</html>".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        fake.createContext("/failing/checkv2", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        fake.createContext("/silent/checkv2", exchange -> {
            // never answers: the client's timeout must
        });
        fake.start();
        try {
            String base = "http://127.0.0.1:" + fake.getAddress().getPort();
            for (String path : List.of("/broken", "/failing", "/silent")) {
                SpamRejection check = new SpamRejection(RspamdClient.of(base + path, Duration.ofSeconds(1)), List.of());
                assertThat(reply(verdict(check, "192.0.2.1", Optional.empty()))).as(path).startsWith("451 4.7.1");
            }
        } finally {
            fake.stop(0);
        }
    }

    private static Verdict verdict(SpamRejection check, String client, Optional<String> user) throws Exception {
        Envelope envelope = new Envelope(Optional.of(MailAddress.parse("x@elsewhere.test")), List.of(MailAddress.parse("alice@example.test")),
                Map.of(), Map.of(), "client.elsewhere.test", new InetSocketAddress(InetAddress.getByName(client), 25), user,
                Optional.empty(), "mx", Instant.EPOCH);
        return check.check(envelope, "Subject: x\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII)).toCompletableFuture().get();
    }

    private static String reply(Verdict v) {
        return v.code() + " " + v.enhancedCode() + " " + v.text();
    }
}
