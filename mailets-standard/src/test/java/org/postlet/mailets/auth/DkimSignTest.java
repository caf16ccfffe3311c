package org.postlet.mailets.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.auth.dkim.DkimAlgorithm;
import org.postlet.auth.dkim.DkimKeys;
import org.postlet.auth.dkim.DkimResult;
import org.postlet.auth.dkim.DkimVerdict;
import org.postlet.auth.dkim.DkimVerifier;
import org.postlet.auth.dns.ScriptedDnsLookup;
import org.postlet.auth.message.RawMessage;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;

class DkimSignTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path conf;

    private final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test").build();

    @Test
    void signsOnTopWithTheKeyUnderTheConfigFolderAndTheSignatureVerifies() throws Exception {
        KeyPair keys = DkimKeys.generate(DkimAlgorithm.RSA_SHA256);
        Files.createDirectories(conf.resolve("dkim"));
        DkimKeys.writePrivateKey(keys.getPrivate(), conf.resolve("dkim/example.test.s1.pem"));
        FakeMail mail = FakeMail.builder().recipients("bob@example.org").message("Received: from x by y\r\n"
                + "From: alice@example.test\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello  \r\n\r\n").build();
        mail.message(); // parsed, as after an earlier mailet looked at it

        mailet("domain", "example.test", "selector", "s1").service(mail);

        String signed = mail.messageAsString();
        assertThat(signed).startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test; s=s1;");
        assertThat(signed).contains("\r\nReceived: from x by y\r\nFrom: alice@example.test\r\n");
        ScriptedDnsLookup dns = new ScriptedDnsLookup().txt("s1._domainkey.example.test",
                "v=DKIM1; k=rsa; p=" + DkimKeys.publicKeyTag(keys.getPublic()));
        assertThat(new DkimVerifier(dns).verify(RawMessage.parse(signed.getBytes(StandardCharsets.UTF_8)), CLOCK.instant()))
                .extracting(DkimVerdict::result).containsExactly(DkimResult.PASS);
    }

    @Test
    void aMissingKeyIsAConfigurationErrorUnlessNotRequired() throws Exception {
        assertThatThrownBy(() -> mailet("domain", "example.test", "selector", "s1"))
                .isInstanceOf(MailetException.class).hasMessageContaining("bin/postlet dkim keygen --domain example.test --selector s1");

        FakeMail mail = FakeMail.builder().recipients("bob@example.org").message("From: a@example.test\r\n\r\nx\r\n").build();
        mailet("domain", "example.test", "selector", "s1", "required", "false").service(mail);
        assertThat(mail.messageAsString()).doesNotContain("DKIM-Signature");
    }

    private DkimSign mailet(String... parameters) throws Exception {
        DkimSign mailet = new DkimSign(conf, CLOCK);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("DkimSign").context(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.parameter(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }
}
