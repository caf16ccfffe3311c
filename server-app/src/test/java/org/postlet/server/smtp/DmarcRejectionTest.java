package org.postlet.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postlet.auth.MailAuthenticator;
import org.postlet.auth.dns.ScriptedDnsLookup;
import org.postlet.mailet.IpNetwork;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.policy.Verdict;

/** Who smtp.dmarcReject checks, and when a failure is a 550 and when only a 451. */
class DmarcRejectionTest {

    /** bank.test publishes p=reject; the key of dead.test cannot be fetched. */
    private final ScriptedDnsLookup dns = new ScriptedDnsLookup()
            .txt("_dmarc.bank.test", "v=DMARC1; p=reject")
            .failing("s._domainkey.dead.test");

    private final DmarcRejection check = new DmarcRejection(new MailAuthenticator(dns, Clock.systemUTC(), new Random(1)),
            List.of(IpNetwork.parse("10.0.0.0/8")));

    @Test
    void refusesForgeriesFromOutsideOnly() throws Exception {
        String forged = "From: ceo@bank.test\r\nSubject: wire\r\n\r\nnow\r\n";
        assertThat(verdict("192.0.2.1", Optional.empty(), forged).code()).isEqualTo(550);
        assertThat(verdict("10.1.2.3", Optional.empty(), forged).kind()).as("an authorized network").isEqualTo(Verdict.Kind.ACCEPT);
        assertThat(verdict("192.0.2.1", Optional.of("ceo@bank.test"), forged).kind()).as("authenticated").isEqualTo(Verdict.Kind.ACCEPT);
        assertThat(verdict("192.0.2.1", Optional.empty(), "From: a@shop.test\r\n\r\nx\r\n").kind()).as("no policy")
                .isEqualTo(Verdict.Kind.ACCEPT);
    }

    @Test
    void aDkimKeyThatCouldNotBeFetchedDefersInsteadOfRefusing() throws Exception {
        Verdict v = verdict("192.0.2.1", Optional.empty(), "DKIM-Signature: v=1; a=rsa-sha256; d=dead.test; s=s; h=from; bh=AA; b=AA\r\n"
                + "From: ceo@bank.test\r\n\r\nnow\r\n");
        assertThat(v.code() + " " + v.enhancedCode()).isEqualTo("451 4.7.0");
    }

    @AfterEach
    void stop() throws Exception {
        check.close();
    }

    private Verdict verdict(String client, Optional<String> user, String message) throws Exception {
        Envelope envelope = new Envelope(Optional.of(MailAddress.parse("x@elsewhere.test")), List.of(MailAddress.parse("alice@example.test")),
                Map.of(), Map.of(), "client.elsewhere.test", new InetSocketAddress(InetAddress.getByName(client), 25), user,
                Optional.empty(), "mx", Instant.EPOCH);
        return check.check(envelope, message.getBytes(StandardCharsets.US_ASCII)).toCompletableFuture().get();
    }
}
