package org.postlet.auth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postlet.auth.dkim.DkimAlgorithm;
import org.postlet.auth.dkim.DkimKeys;
import org.postlet.auth.dkim.DkimSigner;
import org.postlet.auth.dkim.DkimVerdict;
import org.postlet.auth.dkim.DkimVerifier;
import org.postlet.auth.dns.ScriptedDnsLookup;
import org.postlet.auth.message.RawMessage;
import org.postlet.auth.spf.SpfResult;
import org.postlet.auth.spf.SpfVerdict;

/** DMARC over real DKIM signatures and SPF verdicts, with relaxed and strict alignment, on a scripted DNS. */
class DmarcCheckerTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final KeyPair KEYS = DkimKeys.generate(DkimAlgorithm.ED25519_SHA256);

    private final ScriptedDnsLookup dns = new ScriptedDnsLookup()
            .txt("_dmarc.example.org", "v=DMARC1; p=reject; rua=mailto:d@example.org")
            .txt("_dmarc.strict.test", "v=DMARC1; p=quarantine; adkim=s; aspf=s")
            .txt("_dmarc.org.test", "v=DMARC1; p=none; sp=reject")
            .txt("_dmarc.sampled.test", "v=DMARC1; p=reject; pct=0")
            .failing("_dmarc.slow.test");

    @Test
    void dkimAlignedRelaxedPassesAlsoForASubdomainOfTheSigner() throws Exception {
        dns.txt("s._domainkey.example.org", key());
        assertThat(check("alice@example.org", "example.org", none())).extracting(DmarcVerdict::result, DmarcVerdict::disposition)
                .containsExactly(DmarcResult.PASS, DmarcPolicy.NONE);
        DmarcVerdict sub = check("alice@news.example.org", "example.org", none());
        assertThat(sub.result()).as("relaxed: same organizational domain").isEqualTo(DmarcResult.PASS);
        assertThat(sub.policy()).as("the policy of the organizational domain").contains(DmarcPolicy.REJECT);
    }

    @Test
    void strictAlignmentWantsTheSameDomain() throws Exception {
        dns.txt("s._domainkey.strict.test", key());
        assertThat(check("alice@strict.test", "strict.test", none()).result()).isEqualTo(DmarcResult.PASS);
        DmarcVerdict v = check("alice@mail.strict.test", "strict.test", none());
        assertThat(v.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(v.disposition()).isEqualTo(DmarcPolicy.QUARANTINE);
        assertThat(check("alice@mail.strict.test", null, spf(SpfResult.PASS, "strict.test")).result())
                .as("SPF for the parent is not aligned under aspf=s").isEqualTo(DmarcResult.FAIL);
        assertThat(check("alice@mail.strict.test", null, spf(SpfResult.PASS, "mail.strict.test")).result())
                .isEqualTo(DmarcResult.PASS);
    }

    @Test
    void spfAlignedRelaxedPassesAndAForeignPassDoesNot() throws Exception {
        assertThat(check("alice@example.org", null, spf(SpfResult.PASS, "bounces.example.org")).result())
                .isEqualTo(DmarcResult.PASS);
        DmarcVerdict foreign = check("alice@example.org", null, spf(SpfResult.PASS, "esp.test"));
        assertThat(foreign.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(foreign.disposition()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(check("alice@example.org", null, spf(SpfResult.SOFTFAIL, "example.org")).result()).isEqualTo(DmarcResult.FAIL);
    }

    @Test
    void aDkimSignatureThatFailsDoesNotCount() throws Exception {
        dns.txt("s._domainkey.example.org", key());
        RawMessage tampered = RawMessage.parse(signed("alice@example.org", "example.org").replace("Hello", "Hullo")
                .getBytes(StandardCharsets.ISO_8859_1));
        List<DkimVerdict> dkim = new DkimVerifier(dns).verify(tampered, NOW);
        assertThat(new DmarcChecker(dns, new Random(1)).check(tampered, none(), dkim).result()).isEqualTo(DmarcResult.FAIL);
    }

    @Test
    void subdomainPolicyPctNoneAndErrors() throws Exception {
        assertThat(check("a@sub.org.test", null, none()).disposition()).as("sp= for a subdomain").isEqualTo(DmarcPolicy.REJECT);
        assertThat(check("a@org.test", null, none()).disposition()).as("p= for the domain itself").isEqualTo(DmarcPolicy.NONE);
        assertThat(check("a@sampled.test", null, none()).disposition()).as("outside pct=0: one step milder")
                .isEqualTo(DmarcPolicy.QUARANTINE);
        assertThat(check("a@nopolicy.test", null, none()).result()).isEqualTo(DmarcResult.NONE);
        assertThat(check("a@slow.test", null, none()).result()).isEqualTo(DmarcResult.TEMPERROR);
        RawMessage twoFroms = RawMessage.parse("From: a@example.org\r\nFrom: b@example.org\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(new DmarcChecker(dns, new Random(1)).check(twoFroms, none(), List.of()).result()).isEqualTo(DmarcResult.PERMERROR);
    }

    @Test
    void findsTheOrganizationalDomainWithThePublicSuffixList() {
        assertThat(OrganizationalDomain.of("mail.example.co.uk")).isEqualTo("example.co.uk");
        assertThat(OrganizationalDomain.of("a.b.example.com")).isEqualTo("example.com");
        assertThat(OrganizationalDomain.of("x.y.example.test")).as("no listed suffix: the default rule").isEqualTo("example.test");
        assertThat(OrganizationalDomain.aligned("news.example.com", "example.com", false)).isTrue();
        assertThat(OrganizationalDomain.aligned("news.example.com", "example.com", true)).isFalse();
        assertThat(OrganizationalDomain.aligned("a.co.uk", "b.co.uk", false)).isFalse();
        assertThat(DmarcChecker.domainOf("\"Boss, The\" <boss@Example.ORG>")).contains("example.org");
        assertThat(DmarcChecker.domainOf("boss@example.org (The Boss)")).contains("example.org");
        assertThat(DmarcChecker.domainOf("undisclosed")).isEmpty();
    }

    private String key() {
        return "v=DKIM1; k=ed25519; p=" + DkimKeys.publicKeyTag(KEYS.getPublic());
    }

    private static SpfVerdict none() {
        return spf(SpfResult.NONE, "client.example");
    }

    private static SpfVerdict spf(SpfResult result, String domain) {
        return new SpfVerdict(result, domain, "bounce@" + domain, "");
    }

    private static String signed(String from, String signer) throws Exception {
        String message = "From: " + from + "\r\nTo: bob@example.test\r\nSubject: s\r\n\r\nHello\r\n";
        if (signer == null) {
            return message;
        }
        return new DkimSigner(signer, "s", KEYS.getPrivate()).sign(RawMessage.parse(message.getBytes(StandardCharsets.ISO_8859_1)), NOW)
                + "\r\n" + message;
    }

    private DmarcVerdict check(String from, String signer, SpfVerdict spf) throws Exception {
        RawMessage m = RawMessage.parse(signed(from, signer).getBytes(StandardCharsets.ISO_8859_1));
        return new DmarcChecker(dns, new Random(1)).check(m, spf, new DkimVerifier(dns).verify(m, NOW));
    }

}
