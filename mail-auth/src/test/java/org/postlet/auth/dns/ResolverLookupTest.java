package org.postlet.auth.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postlet.dns.DnsResolver;
import org.postlet.testsupport.dns.ScriptedDns;

/** Mail authentication's lookups through the server's DNS client, against a real DNS server (dnsmasq). */
class ResolverLookupTest {

    @Test
    void answersTxtAddressesAndMxAndTellsMissingFromFailing() throws Exception {
        String longText = "v=DKIM1; k=rsa; p=" + "A".repeat(400);
        try (ScriptedDns dns = ScriptedDns.builder().txt("t.example.test", "v=spf1 -all").txt("k.example.test", longText)
                .host("h.example.test", "192.0.2.1", "2001:db8::1").mx("example.test", "mx2.example.test", 20)
                .mx("example.test", "mx1.example.test", 10).start()) {
            DnsLookup lookup = Resolvers.of(dns);
            assertThat(lookup.txt("t.example.test")).containsExactly("v=spf1 -all");
            assertThat(lookup.txt("k.example.test")).as("strings joined").containsExactly(longText);
            assertThat(lookup.addresses("h.example.test")).containsExactly(InetAddress.getByName("192.0.2.1"),
                    InetAddress.getByName("2001:db8::1"));
            assertThat(lookup.mx("example.test")).containsExactly("mx1.example.test", "mx2.example.test");
            assertThat(lookup.ptr(InetAddress.getByName("192.0.2.1"))).containsExactly("h.example.test");
            assertThat(lookup.txt("nothing.example.test")).isEmpty();
            assertThat(lookup.txt("not..a.name")).as("a name that cannot exist has no records").isEmpty();
            assertThat(lookup.txt("h.example.test")).isEmpty();
            assertThatThrownBy(() -> lookup.txt("x.dead.test")).isInstanceOf(DnsTemporaryException.class);
        }
    }

    @Test
    void noResolverFailsEveryLookupTemporarily() {
        DnsLookup none = DnsLookup.through(new DnsResolver(List.of(), Duration.ofSeconds(1)));
        assertThatThrownBy(() -> none.txt("example.test")).isInstanceOf(DnsTemporaryException.class)
                .hasMessageContaining("dns.resolvers is empty");
        assertThatThrownBy(() -> none.mx("example.test")).isInstanceOf(DnsTemporaryException.class);
    }
}
