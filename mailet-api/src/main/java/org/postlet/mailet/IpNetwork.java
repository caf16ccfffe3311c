package org.postlet.mailet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 or IPv6 network in CIDR notation, such as {@code 192.0.2.0/24} or {@code 2001:db8::/32};
 * a plain address is a network of one. Only literals are read, so no name is ever looked up in
 * DNS. An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) counts as the IPv4 address it maps.
 *
 * @param base   the network address
 * @param prefix how many leading bits an address must share with {@code base}
 */
public record IpNetwork(InetAddress base, int prefix) {

    /** @throws IllegalArgumentException if the prefix is outside 0 to the address's length in bits */
    public IpNetwork {
        int bits = base.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("a network of " + base.getHostAddress() + " needs a prefix of 0 to " + bits
                    + " bits, not " + prefix);
        }
    }

    /**
     * Parses {@code address[/prefix]}; brackets around an IPv6 address are allowed.
     *
     * @throws IllegalArgumentException naming the text and showing the accepted forms
     */
    public static IpNetwork parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        Optional<InetAddress> address = parseAddress(slash < 0 ? s : s.substring(0, slash));
        if (address.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not an IP network; write e.g. 192.0.2.0/24 or 2001:db8::/32");
        }
        int bits = address.get().getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + text + "' is not an IP network: the prefix must be 0 to " + bits);
        }
        return new IpNetwork(address.get(), prefix);
    }

    /**
     * Reads an IP address literal ({@code 192.0.2.1}, {@code 2001:db8::1}, {@code [::1]});
     * empty for anything else, host names included, so no DNS lookup can happen.
     */
    public static Optional<InetAddress> parseAddress(String text) {
        String host = text.strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return Optional.empty();
        }
        if (!host.contains(":") && host.split("\\.", -1).length != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Whether the address lies in this network; IPv4 and IPv6 never match each other, mapped addresses aside. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] b = base.getAddress();
        if (a.length == 16 && b.length == 4 && isV4Mapped(a)) {
            a = Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != b.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /** The network as written in configuration: {@code 192.0.2.0/24}, {@code ::1/128} (IPv6 in RFC 5952's short form). */
    @Override
    public String toString() {
        byte[] a = base.getAddress();
        if (a.length != 16) {
            return base.getHostAddress() + "/" + prefix;
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952: "::" stands for two or more zero groups, the longest (first) run
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text + "/" + prefix;
    }
}
