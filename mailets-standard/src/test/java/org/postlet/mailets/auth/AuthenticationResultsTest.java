package org.postlet.mailets.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postlet.auth.MailAuthenticator;
import org.postlet.auth.dkim.DkimAlgorithm;
import org.postlet.auth.dkim.DkimKeys;
import org.postlet.auth.dkim.DkimSigner;
import org.postlet.auth.dns.ScriptedDnsLookup;
import org.postlet.auth.message.RawMessage;
import org.postlet.mailet.Matcher;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.FakeMatcherConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.mailets.matchers.DkimResultIs;
import org.postlet.mailets.matchers.DmarcDispositionIs;
import org.postlet.mailets.matchers.DmarcResultIs;
import org.postlet.mailets.matchers.SpfResultIs;

class AuthenticationResultsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    private static final KeyPair KEYS = DkimKeys.generate(DkimAlgorithm.RSA_SHA256);

    private final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test").build();
    private final ScriptedDnsLookup dns = new ScriptedDnsLookup()
            .txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all")
            .txt("_dmarc.example.org", "v=DMARC1; p=quarantine")
            .txt("s1._domainkey.example.org", "v=DKIM1; k=rsa; p=" + DkimKeys.publicKeyTag(KEYS.getPublic()));

    @Test
    void prependsOneHeaderRemovesForgedOnesAndSetsTheAttributes() throws Exception {
        String message = "Authentication-Results: MX.example.test; dkim=pass header.d=example.org\r\n"
                + "Authentication-Results: other.example; spf=pass\r\n"
                + "From: Alice <alice@example.org>\r\nTo: bob@example.test\r\nSubject: hi\r\n\r\nHello\r\n";
        String signed = new DkimSigner("example.org", "s1", KEYS.getPrivate())
                .sign(RawMessage.parse(message.getBytes(StandardCharsets.US_ASCII)), CLOCK.instant()) + "\r\n" + message;
        FakeMail mail = mail("192.0.2.7", signed);

        mailet().service(mail);

        String out = mail.messageAsString();
        assertThat(out).startsWith("Authentication-Results: mx.example.test;\r\n\tspf=pass smtp.mailfrom=alice@example.org;\r\n"
                + "\tdkim=pass header.d=example.org header.s=s1 header.b=");
        assertThat(out).contains(";\r\n\tdmarc=pass (p=quarantine dis=none) header.from=example.org\r\nDKIM-Signature:");
        assertThat(out).doesNotContain("MX.example.test").contains("Authentication-Results: other.example; spf=pass");
        assertThat(mail.attribute(AuthenticationResults.SPF)).contains("pass");
        assertThat(mail.attribute(AuthenticationResults.DKIM)).contains("pass");
        assertThat(mail.attribute(AuthenticationResults.DMARC)).contains("pass");
        assertThat(matches(new DmarcResultIs(), "fail", mail)).isFalse();
        assertThat(matches(new DkimResultIs(), "pass", mail)).isTrue();
    }

    @Test
    void aForgedFromFailsDmarcAndIsSelectedForJunk() throws Exception {
        FakeMail mail = mail("203.0.113.9", "From: boss@example.org\r\nSubject: pay this\r\n\r\nnow\r\n");

        mailet().service(mail);

        assertThat(mail.messageAsString()).startsWith("Authentication-Results: mx.example.test;\r\n\tspf=fail smtp.mailfrom=alice@example.org;\r\n"
                + "\tdkim=none (no signature);\r\n\tdmarc=fail (p=quarantine dis=quarantine) header.from=example.org\r\n");
        assertThat(matches(new SpfResultIs(), "fail, softfail", mail)).isTrue();
        assertThat(matches(new DmarcResultIs(), "fail", mail)).isTrue();
        assertThat(matches(new DmarcDispositionIs(), "quarantine,reject", mail)).isTrue();
        assertThat(matches(new DkimResultIs(), "pass", mail)).isFalse();
        assertThat(matches(new DkimResultIs(), "pass", FakeMail.builder().recipients("bob@example.test").build()))
                .as("not checked: not selected").isFalse();
        assertThatThrownBy(() -> matches(new DmarcResultIs(), "failed", mail)).isInstanceOf(MailetException.class)
                .hasMessageContaining("use one or more of fail, none, pass, permerror, temperror");
    }

    @Test
    void mailMadeHereIsLeftAsItIs() throws Exception {
        FakeMail bounce = FakeMail.builder().nullSender().recipients("bob@example.test").madeHere()
                .message("From: Mail Delivery System <mailer-daemon@example.test>\r\nSubject: Undelivered\r\n\r\nsorry\r\n").build();

        mailet().service(bounce);

        assertThat(bounce.messageAsString()).doesNotContain("Authentication-Results");
        assertThat(bounce.attributeNames()).isEmpty();
    }

    private FakeMail mail(String client, String message) throws Exception {
        return FakeMail.builder().sender("alice@example.org").recipients("bob@example.test").remoteAddress(client)
                .heloName("client.example.org").message(message).build();
    }

    private AuthenticationResults mailet() throws Exception {
        AuthenticationResults mailet = new AuthenticationResults(new MailAuthenticator(dns, CLOCK, new Random(1)));
        mailet.init(FakeMailetConfig.builder().mailetName("AuthenticationResults").context(context).build());
        return mailet;
    }

    private boolean matches(Matcher matcher, String condition, FakeMail mail) throws Exception {
        matcher.init(FakeMatcherConfig.builder().matcherName(matcher.getClass().getSimpleName()).condition(condition)
                .context(context).build());
        return !matcher.match(mail).isEmpty();
    }
}
