package org.postlet.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 network in CIDR notation, such as {@code 127.0.0.0/8} or {@code ::1/128}.
 *
 * @param base   the network address
 * @param prefix the prefix length in bits
 */
public record Network(InetAddress base, int prefix) {

    /**
     * Parses {@code address[/prefix]}; without a prefix the network is the single address.
     *
     * @throws IllegalArgumentException with a message naming the bad part
     */
    public static Network parse(String cidr) {
        String text = cidr.strip();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!address.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP network; write e.g. 192.0.2.0/24 or 2001:db8::/32");
        }
        InetAddress base;
        try {
            base = InetAddress.getByName(address); // a literal: no DNS lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP network; write e.g. 192.0.2.0/24 or 2001:db8::/32");
        }
        int bits = base.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + cidr + "' has a prefix outside 0.." + bits);
        }
        return new Network(base, prefix);
    }

    /** Whether the address lies in this network; IPv4 and IPv6 never match each other. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] b = base.getAddress();
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
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    @Override
    public String toString() {
        return base.getHostAddress() + "/" + prefix;
    }
}
