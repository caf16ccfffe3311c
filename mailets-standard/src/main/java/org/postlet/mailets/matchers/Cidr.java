package org.postlet.mailets.matchers;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IPv4 or IPv6 network in CIDR notation, e.g. {@code 192.0.2.0/24} or {@code 2001:db8::/32};
 * a plain address is a network of one.
 *
 * @param network the address bytes (4 or 16)
 * @param bits    how many leading bits must be equal
 */
record Cidr(byte[] network, int bits) {

    /** Parses a literal; never resolves a host name. Empty if the text is not a network. */
    static Optional<Cidr> parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        Optional<byte[]> address = literal(host);
        if (address.isEmpty()) {
            return Optional.empty();
        }
        int max = address.get().length * 8;
        int bits = max;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (bits < 0 || bits > max) {
                return Optional.empty();
            }
        }
        return Optional.of(new Cidr(address.get(), bits));
    }

    /** The bytes of an IP literal; empty for anything else, so no DNS lookup can happen. */
    static Optional<byte[]> literal(String text) {
        String host = text.strip();
        if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return Optional.empty();
        }
        if (!host.contains(":") && host.split("\\.", -1).length != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(host).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Whether the address is in this network. An IPv4-mapped IPv6 address counts as IPv4. */
    boolean contains(byte[] address) {
        byte[] a = address;
        if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
            a = java.util.Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != network.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.bits == bits && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + bits;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            return "?/" + bits;
        }
    }
}
