package org.postlet.outbound.sts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postlet.dns.DnsResolver;
import org.postlet.outbound.sts.PolicyServer.Answer;
import org.postlet.testsupport.dns.ScriptedDns;

/** The HTTPS fetch against a real HTTPS server on loopback, found through a real DNS server. */
class PolicyFetcherTest {

    private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx1.remote.test\r\nmax_age: 86400\r\n";

    private ScriptedDns dns;
    private PolicyServer https;

    @AfterEach
    void stop() throws Exception {
        if (https != null) {
            https.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private PolicyFetcher fetcher(SSLContext serverTls, SSLContext clientTls) throws Exception {
        https = new PolicyServer(serverTls, Answer.policy(POLICY));
        dns = ScriptedDns.builder().host("mta-sts.remote.test", "127.0.0.1").start();
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        return new PolicyFetcher(resolver, https.port(), clientTls.getSocketFactory(), Duration.ofSeconds(10));
    }

    @Test
    void fetchesThePolicyWithTheRightHostAndReadsChunkedBodies() throws Exception {
        TestCa ca = new TestCa();
        PolicyFetcher fetcher = fetcher(ca.server("mta-sts.remote.test"), ca.client());

        assertThat(fetcher.fetch("remote.test")).isEqualTo(POLICY);
        https.answer(new Answer(200, "text/plain; charset=utf-8", POLICY, true));
        assertThat(fetcher.fetch("remote.test")).isEqualTo(POLICY);
        assertThat(https.requests()).containsOnly("/.well-known/mta-sts.txt Host=mta-sts.remote.test");
    }

    @Test
    void onlyA200TextPlainOfAtMost64KibCounts() throws Exception {
        TestCa ca = new TestCa();
        PolicyFetcher fetcher = fetcher(ca.server("mta-sts.remote.test"), ca.client());

        https.answer(new Answer(404, "text/plain", "not here"));
        assertThatThrownBy(() -> fetcher.fetch("remote.test")).isInstanceOf(PolicyFetchException.class)
                .hasMessageContaining("answered 404");
        https.answer(new Answer(302, "text/plain", ""));
        assertThatThrownBy(() -> fetcher.fetch("remote.test")).hasMessageContaining("redirects are not followed");
        https.answer(new Answer(200, "text/html", POLICY));
        assertThatThrownBy(() -> fetcher.fetch("remote.test")).hasMessageContaining("of type text/html, not text/plain");
        https.answer(Answer.policy(POLICY + "x".repeat(PolicyFetcher.MAX_BODY)));
        assertThatThrownBy(() -> fetcher.fetch("remote.test")).hasMessageContaining("larger than 65536 bytes");
        https.answer(new Answer(200, "text/plain", POLICY + "x".repeat(PolicyFetcher.MAX_BODY), true));
        assertThatThrownBy(() -> fetcher.fetch("remote.test")).hasMessageContaining("larger than 65536 bytes");
    }

    @Test
    void theCertificateMustBeTrustedAndNameThePolicyHost() throws Exception {
        TestCa ca = new TestCa();
        PolicyFetcher wrongName = fetcher(ca.server("www.remote.test"), ca.client());
        assertThatThrownBy(() -> wrongName.fetch("remote.test")).isInstanceOf(PolicyFetchException.class)
                .hasMessageContaining("No subject alternative DNS name matching mta-sts.remote.test");
        stop();

        PolicyFetcher untrusted = fetcher(new TestCa().server("mta-sts.remote.test"), ca.client());
        assertThatThrownBy(() -> untrusted.fetch("remote.test")).isInstanceOf(PolicyFetchException.class)
                .hasMessageContaining("PKIX");
        assertThat(https.requests()).isEmpty();
    }

    @Test
    void aPolicyHostWithoutAddressIsAFailure() throws Exception {
        TestCa ca = new TestCa();
        PolicyFetcher fetcher = fetcher(ca.server("mta-sts.remote.test"), ca.client());

        assertThatThrownBy(() -> fetcher.fetch("other.test")).isInstanceOf(PolicyFetchException.class)
                .hasMessage("mta-sts.other.test has no address");
    }
}
