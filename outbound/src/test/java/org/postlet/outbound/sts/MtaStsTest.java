package org.postlet.outbound.sts;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.dns.DnsResolver;
import org.postlet.outbound.sts.PolicyServer.Answer;
import org.postlet.outbound.sts.StsPolicy.Mode;
import org.postlet.testsupport.dns.ScriptedDns;

/** The cache's clock rules (max_age, daily refresh, retry pause), with a clock the test moves. */
class MtaStsTest {

    private static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mx1.remote.test\nmax_age: 172800\n";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final MovingClock clock = new MovingClock(Instant.parse("2026-12-01T00:00:00Z"));
    private TestCa ca;
    private PolicyServer https;

    @BeforeEach
    void start() throws Exception {
        ca = new TestCa();
        https = new PolicyServer(ca.server("mta-sts.remote.test"), Answer.policy(ENFORCE));
        closing.add(https);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private MtaSts mtaSts(String id) throws Exception {
        ScriptedDns.Builder b = ScriptedDns.builder().host("mta-sts.remote.test", "127.0.0.1");
        if (id != null) {
            b.txt("_mta-sts.remote.test", "v=STSv1; id=" + id);
        }
        ScriptedDns dns = b.start();
        closing.add(dns);
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        return new MtaSts(resolver, new PolicyFetcher(resolver, https.port(), ca.client().getSocketFactory(),
                Duration.ofSeconds(10)), new PolicyStore(dir, clock), clock);
    }

    @Test
    void withoutItsTxtRecordAPolicyAppliesUntilMaxAgeAndNotAfter() throws Exception {
        assertThat(mtaSts("1").policy("remote.test")).hasValueSatisfying(p -> assertThat(p.policy().mode())
                .isEqualTo(Mode.ENFORCE));
        MtaSts withoutTxt = mtaSts(null);

        clock.move(Duration.ofHours(47));
        assertThat(withoutTxt.policy("Remote.Test")).isPresent();
        clock.move(Duration.ofHours(2));
        assertThat(withoutTxt.policy("remote.test")).isEmpty();
        assertThat(dir.resolve("remote.test")).doesNotExist(); // RFC 8461 §5.1: expired, so nothing to keep it for
    }

    @Test
    void thatADomainHadNoPolicyIsForgottenAfterADay() throws Exception {
        MtaSts withoutTxt = mtaSts(null);
        assertThat(withoutTxt.policy("remote.test")).isEmpty();
        // Another instance (or a restore) puts a policy on disk: the shortcut past the disk hides it...
        KnownPolicy stored = new KnownPolicy("remote.test", "1", StsPolicy.parse(ENFORCE), clock.instant(), ENFORCE);
        new PolicyStore(dir, clock).save(stored);
        clock.move(Duration.ofHours(1));
        assertThat(withoutTxt.policy("remote.test")).isEmpty();
        // ...until the daily clean-up forgets it, so the set of such domains does not grow forever.
        clock.move(Duration.ofHours(24));
        assertThat(withoutTxt.policy("remote.test")).hasValueSatisfying(p -> assertThat(p.id()).isEqualTo("1"));
    }

    @Test
    void anUnchangedIdIsFetchedAgainAfterADaySoThePolicyIsRenewedBeforeItExpires() throws Exception {
        MtaSts mtaSts = mtaSts("1");
        Instant first = mtaSts.policy("remote.test").orElseThrow().fetched();

        clock.move(Duration.ofHours(23));
        assertThat(mtaSts.policy("remote.test").orElseThrow().fetched()).isEqualTo(first);
        assertThat(https.requests()).hasSize(1);

        clock.move(Duration.ofHours(2));
        KnownPolicy renewed = mtaSts.policy("remote.test").orElseThrow();
        assertThat(https.requests()).hasSize(2);
        assertThat(renewed.expires()).isEqualTo(clock.instant().plus(Duration.ofHours(48)));
        assertThat(Files.readString(dir.resolve("remote.test"))).contains("fetched: " + clock.instant());
    }

    @Test
    void aFailedFetchIsNotRepeatedForFiveMinutesUnlessTheIdChanges() throws Exception {
        https.answer(new Answer(500, "text/plain", "oops"));
        MtaSts mtaSts = mtaSts("1");

        assertThat(mtaSts.policy("remote.test")).isEmpty();
        clock.move(Duration.ofMinutes(4));
        assertThat(mtaSts.policy("remote.test")).isEmpty();
        assertThat(https.requests()).hasSize(1);

        https.answer(Answer.policy(ENFORCE));
        clock.move(Duration.ofMinutes(2));
        assertThat(mtaSts.policy("remote.test")).isPresent();
        assertThat(https.requests()).hasSize(2);
    }

    @Test
    void aUnicodeDomainIsLookedUpByItsAsciiForm() throws Exception {
        https.close();
        https = new PolicyServer(ca.server("mta-sts.xn--bcher-kva.test"), Answer.policy(ENFORCE));
        closing.add(https);
        ScriptedDns dns = ScriptedDns.builder().host("mta-sts.xn--bcher-kva.test", "127.0.0.1")
                .txt("_mta-sts.xn--bcher-kva.test", "v=STSv1; id=7").start();
        closing.add(dns);
        DnsResolver resolver = new DnsResolver(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(10));
        MtaSts mtaSts = new MtaSts(resolver, new PolicyFetcher(resolver, https.port(), ca.client().getSocketFactory(),
                Duration.ofSeconds(10)), new PolicyStore(dir, clock), clock);

        assertThat(mtaSts.policy("bücher.test")).hasValueSatisfying(p -> assertThat(p.id()).isEqualTo("7"));
        assertThat(https.requests()).containsExactly("/.well-known/mta-sts.txt Host=mta-sts.xn--bcher-kva.test");
        assertThat(dir.resolve("xn--bcher-kva.test")).exists();
    }

    @Test
    void aDamagedCacheFileIsIgnored() throws Exception {
        Files.writeString(dir.resolve("remote.test"), "garbage");
        assertThat(mtaSts(null).policy("remote.test")).isEmpty();
        assertThat(mtaSts("1").policy("remote.test")).isPresent();
        assertThat(Files.readString(dir.resolve("remote.test"))).startsWith("id: 1\n");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("remote.test")); // no temporary file left
        }
    }
}
