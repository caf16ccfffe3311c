package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.testsupport.dns.ScriptedDns;

/**
 * {@code smtp.dmarcReject: true} over SMTP with a real DNS (dnsmasq through {@code dns.resolvers}):
 * a forged From under {@code p=reject} gets 550 5.7.1 at the end of DATA, mail that passes or asks
 * only for quarantine gets 250, and a DNS failure that may have caused the failure gets 451 4.7.0.
 */
class DmarcRejectTest {

    private static ScriptedDns dns;

    @TempDir
    Path dir;

    @BeforeAll
    static void startDns() throws Exception {
        dns = ScriptedDns.builder()
                .txt("_dmarc.bank.test", "v=DMARC1; p=reject")
                .txt("_dmarc.shop.test", "v=DMARC1; p=quarantine")
                .txt("bank.test", "v=spf1 ip4:127.0.0.1 -all")
                .start();
    }

    @AfterAll
    static void stopDns() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void refusesForgedMailUnderRejectAndAcceptsTheRest() throws Exception {
        TestInstallation inst = new TestInstallation(dir, 0);
        Path conf = inst.conf.resolve("postlet.yaml");
        // Loopback is not an authorized network here: mail from authorized networks is not checked.
        Files.writeString(conf, Files.readString(conf).replace("  maxMessageSize:", "  dmarcReject: true\n  maxMessageSize:")
                .replace("authorizedNetworks: [127.0.0.0/8]", "authorizedNetworks: []")
                + "dns:\n  resolvers: [\"" + "127.0.0.1:" + dns.port() + "\"]\n");
        try (PostletServer server = PostletServer.start(inst.conf, dir)) {
            int port = server.port("mx");
            assertThat(TestInstallation.send(port, "ceo@elsewhere.test", "alice@example.test", "From: CEO <ceo@bank.test>\r\nSubject: wire money\r\n\r\nnow\r\n"))
                    .startsWith("550 5.7.1").contains("DMARC").contains("bank.test");
            assertThat(TestInstallation.send(port, "news@bank.test", "alice@example.test", "From: News <news@bank.test>\r\nSubject: real\r\n\r\nhi\r\n"))
                    .as("SPF passes aligned").startsWith("250");
            assertThat(TestInstallation.send(port, "x@elsewhere.test", "alice@example.test", "From: a@shop.test\r\nSubject: deal\r\n\r\nhi\r\n"))
                    .as("p=quarantine is for the pipeline, not for SMTP").startsWith("250");
            assertThat(TestInstallation.send(port, "ceo@elsewhere.test", "alice@example.test", "DKIM-Signature: v=1; a=rsa-sha256; d=dead.test; s=s; h=from;"
                    + " bh=AAAA; b=AAAA\r\nFrom: ceo@bank.test\r\nSubject: wire\r\n\r\nnow\r\n"))
                    .as("a DKIM key that could not be fetched may be why it failed").startsWith("451 4.7.0");
            inst.awaitMail("alice", 2);
        }
    }
}
