package org.postlet.mailets.matchers;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postlet.mailet.IpNetwork;
import org.postlet.mailet.MailetException;
import org.postlet.mailets.Values;

/** A list of networks, as the RemoteAddr matchers take it. */
record Networks(List<IpNetwork> networks) {

    static Networks parse(String matcher, String condition) throws MailetException {
        List<IpNetwork> out = new ArrayList<>();
        for (String item : Values.nonEmptyList(matcher, condition, "127.0.0.0/8, ::1/128")) {
            try {
                out.add(IpNetwork.parse(item));
            } catch (IllegalArgumentException e) {
                throw new MailetException(matcher + ": " + e.getMessage()
                        + " — write an IPv4 or IPv6 address with an optional /bits, e.g. 192.0.2.0/24 or 2001:db8::/32");
            }
        }
        return new Networks(List.copyOf(out));
    }

    boolean contains(String address) {
        Optional<InetAddress> ip = IpNetwork.parseAddress(address);
        return ip.isPresent() && networks.stream().anyMatch(n -> n.contains(ip.get()));
    }
}
