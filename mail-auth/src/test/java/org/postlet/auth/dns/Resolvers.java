package org.postlet.auth.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.postlet.dns.DnsResolver;
import org.postlet.testsupport.dns.ScriptedDns;

/** The lookup the server would make with {@code dns.resolvers} naming a test's dnsmasq. */
public final class Resolvers {

    private Resolvers() {
    }

    public static DnsLookup of(ScriptedDns dns) {
        return DnsLookup.through(new DnsResolver(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.port())),
                Duration.ofSeconds(2)));
    }
}
