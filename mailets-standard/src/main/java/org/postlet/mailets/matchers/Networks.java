package org.postlet.mailets.matchers;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postlet.mailet.MailetException;
import org.postlet.mailets.Values;

/** A list of networks, as the RemoteAddr matchers take it. */
record Networks(List<Cidr> networks) {

    static Networks parse(String matcher, String condition) throws MailetException {
        List<Cidr> out = new ArrayList<>();
        for (String item : Values.nonEmptyList(matcher, condition, "127.0.0.0/8, ::1/128")) {
            out.add(Cidr.parse(item).orElseThrow(() -> new MailetException(matcher + ": '" + item
                    + "' is not an IP network — write an IPv4 or IPv6 address with an optional /bits, e.g. 192.0.2.0/24 or 2001:db8::/32")));
        }
        return new Networks(List.copyOf(out));
    }

    boolean contains(String address) {
        Optional<byte[]> bytes = Cidr.literal(address);
        return bytes.isPresent() && networks.stream().anyMatch(n -> n.contains(bytes.get()));
    }
}
