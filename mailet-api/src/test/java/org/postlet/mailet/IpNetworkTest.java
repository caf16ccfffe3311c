package org.postlet.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpNetworkTest {

    private static InetAddress ip(String s) {
        return IpNetwork.parseAddress(s).orElseThrow();
    }

    @Test
    void ipv4AndIpv6Networks() {
        IpNetwork v4 = IpNetwork.parse("192.0.2.0/25");
        assertThat(v4.contains(ip("192.0.2.127"))).isTrue();
        assertThat(v4.contains(ip("192.0.2.128"))).isFalse();
        assertThat(v4.contains(ip("::ffff:192.0.2.1"))).as("IPv4-mapped").isTrue();
        assertThat(v4.contains(ip("2001:db8::1"))).isFalse();
        IpNetwork v6 = IpNetwork.parse("[2001:db8::]/32");
        assertThat(v6.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(v6.contains(ip("2001:db9::1"))).isFalse();
        assertThat(IpNetwork.parse("10.1.2.3").contains(ip("10.1.2.3"))).isTrue();
        assertThat(IpNetwork.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
        assertThat(IpNetwork.parse("127.0.0.0/8")).hasToString("127.0.0.0/8");
    }

    @Test
    void onlyLiteralsAreRead() {
        assertThat(IpNetwork.parseAddress("localhost")).isEmpty();
        assertThat(IpNetwork.parseAddress("10.1.2")).isEmpty();
        assertThatThrownBy(() -> IpNetwork.parse("example.test/8")).hasMessageContaining("not an IP network");
        assertThatThrownBy(() -> IpNetwork.parse("10.0.0.0/33")).hasMessageContaining("the prefix must be 0 to 32");
        assertThatThrownBy(() -> IpNetwork.parse("10.0.0.0/x")).hasMessageContaining("prefix");
    }

    @Test
    void printsAsWrittenInConfigurationWithIpv6InItsShortForm() {
        org.assertj.core.api.Assertions.assertThat(java.util.List.of("127.0.0.0/8", "::1/128", "2001:db8::/32", "2001:db8:0:1::1/128",
                        "2001:0:0:1::/64", "fe80::/10", "::/0"))
                .allSatisfy(text -> org.assertj.core.api.Assertions.assertThat(IpNetwork.parse(text).toString()).isEqualTo(text));
        org.assertj.core.api.Assertions.assertThat(IpNetwork.parse("2001:DB8:0:0:1:0:0:1/128").toString()).isEqualTo("2001:db8::1:0:0:1/128");
    }
}
