package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.auth.dkim.DkimAlgorithm;
import org.postlet.auth.dkim.DkimKeys;
import org.postlet.auth.dkim.DkimResult;
import org.postlet.auth.dkim.DkimVerdict;
import org.postlet.auth.dkim.DkimVerifier;
import org.postlet.auth.dns.DnsLookup;
import org.postlet.dns.DnsResolver;
import org.postlet.auth.message.RawMessage;
import org.postlet.server.PostletServer;
import org.postlet.server.testing.TestConfiguration;
import org.postlet.testsupport.dns.ScriptedDns;
import org.postlet.testsupport.smtp.FakeSmtpServer;

/**
 * The shipped {@code conf/pipeline.yaml} with mail authentication: relayed mail is DKIM-signed once
 * the key exists (and the signature verifies against the published record), inbound mail gets an
 * {@code Authentication-Results:} header, and a DMARC failure under {@code p=quarantine} lands in Junk.
 */
class ShippedPipelineAuthenticationTest {

    @TempDir
    Path dir;

    @Test
    void signsRelayedMailAndFilesQuarantinedForgeriesIntoJunk() throws Exception {
        KeyPair keys = DkimKeys.generate(DkimAlgorithm.RSA_SHA256);
        try (ScriptedDns dns = ScriptedDns.builder()
                .txt("postlet._domainkey.example.test", "v=DKIM1; k=rsa; p=" + DkimKeys.publicKeyTag(keys.getPublic()))
                .txt("_dmarc.shop.test", "v=DMARC1; p=quarantine")
                .start();
             FakeSmtpServer remote = FakeSmtpServer.builder().start()) {
            TestInstallation inst = new TestInstallation(dir, 0);
            // The shipped pipeline, with relayed mail sent to a remote on loopback instead of the MX of remote.test.
            String pipeline = Files.readString(TestConfiguration.committed("conf/pipeline.yaml", dir));
            assertThat(pipeline).contains("class: RemoteDelivery }");
            Files.writeString(inst.conf.resolve("pipeline.yaml"),
                    pipeline.replace("class: RemoteDelivery }", "class: RemoteDelivery, gateway: \"127.0.0.1:" + remote.port() + "\" }"));
            Files.createDirectories(inst.conf.resolve("dkim"));
            DkimKeys.writePrivateKey(keys.getPrivate(), inst.conf.resolve("dkim/example.test.postlet.pem"));
            Path conf = inst.conf.resolve("postlet.yaml");
            Files.writeString(conf, Files.readString(conf) + "dns:\n  resolvers: [\"127.0.0.1:" + dns.port() + "\"]\n");

            try (PostletServer server = PostletServer.start(inst.conf, dir)) {
                int port = server.port("mx");
                // A bounce of ours to a remote sender: relayed, so signed.
                assertThat(TestInstallation.send(port, "", "someone@remote.test", "From: postmaster@example.test\r\nTo: someone@remote.test\r\n"
                        + "Subject: Undelivered Mail\r\nDate: Tue, 1 Dec 2026 12:00:00 +0000\r\n\r\nSorry.\r\n")).startsWith("250");
                assertThat(TestInstallation.send(port, "x@elsewhere.test", "alice@example.test",
                        "From: deals@shop.test\r\nSubject: 90% off\r\n\r\nbuy\r\n")).startsWith("250");

                List<FakeSmtpServer.Message> sent = remote.awaitMessages(1, Duration.ofSeconds(20));
                assertThat(sent).hasSize(1);
                String message = new String(sent.get(0).content(), StandardCharsets.ISO_8859_1);
                assertThat(message).contains("DKIM-Signature:");
                DnsLookup lookup = DnsLookup.through(new DnsResolver(
                        List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.port())), Duration.ofSeconds(2)));
                assertThat(new DkimVerifier(lookup).verify(RawMessage.parse(message.getBytes(StandardCharsets.ISO_8859_1)),
                        Instant.now())).extracting(DkimVerdict::result).containsExactly(DkimResult.PASS);

                List<Path> junk = TestInstallation.awaitFiles(inst.maildir.resolve("example.test/alice/.Junk/new"), 1);
                assertThat(Files.readString(junk.get(0), StandardCharsets.ISO_8859_1).replace("\r\n", "\n"))
                        .as("Maildir files end lines with LF").contains("Authentication-Results: mx.example.test;\n\tspf=none smtp.mailfrom=x@elsewhere.test;")
                        .contains("dmarc=fail (p=quarantine dis=quarantine) header.from=shop.test");
            }
        }
    }
}
