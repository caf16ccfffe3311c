package org.postlet.auth.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@link DnsLookup} answered from memory, for tests of SPF, DKIM and DMARC that need no DNS
 * server. Names are compared as DNS compares them: case-insensitively and without the trailing
 * dot. A name not scripted has no records; a name scripted with {@link #failing} answers every
 * question with a {@link DnsTemporaryException}, as a timeout or SERVFAIL would. PTR questions
 * always have no answer: no test scripts them.
 *
 * <p>Not to be confused with {@code org.postlet.testsupport.dns.ScriptedDns}, a DNS server on a
 * UDP port for tests that go through the real resolver; this one skips the wire entirely. Shipped
 * to other modules' tests as mail-auth's test-jar.
 */
public final class ScriptedDnsLookup implements DnsLookup {

    private final Map<String, List<String>> txt = new HashMap<>();
    private final Map<String, List<InetAddress>> addresses = new HashMap<>();
    private final Map<String, List<String>> mx = new HashMap<>();
    private final Set<String> failing = new HashSet<>();

    /** Adds TXT records to {@code name}, after any it already has. */
    public ScriptedDnsLookup txt(String name, String... values) {
        txt.computeIfAbsent(key(name), k -> new ArrayList<>()).addAll(List.of(values));
        return this;
    }

    /** Adds an address (IPv4 or IPv6 literal) to {@code name}. */
    public ScriptedDnsLookup address(String name, String ip) {
        try {
            addresses.computeIfAbsent(key(name), k -> new ArrayList<>()).add(InetAddress.getByName(ip));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
        return this;
    }

    /** Adds a mail exchanger to {@code name}; they answer in the order added. */
    public ScriptedDnsLookup mx(String name, String host) {
        mx.computeIfAbsent(key(name), k -> new ArrayList<>()).add(host);
        return this;
    }

    /** Makes every question about {@code name} fail as a timeout would. */
    public ScriptedDnsLookup failing(String name) {
        failing.add(key(name));
        return this;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
    }

    private void check(String name) throws DnsTemporaryException {
        if (failing.contains(key(name))) {
            throw new DnsTemporaryException("scripted timeout for " + name);
        }
    }

    @Override
    public List<String> txt(String name) throws DnsTemporaryException {
        check(name);
        return List.copyOf(txt.getOrDefault(key(name), List.of()));
    }

    @Override
    public List<InetAddress> addresses(String name) throws DnsTemporaryException {
        check(name);
        return List.copyOf(addresses.getOrDefault(key(name), List.of()));
    }

    @Override
    public List<String> mx(String name) throws DnsTemporaryException {
        check(name);
        return List.copyOf(mx.getOrDefault(key(name), List.of()));
    }

    @Override
    public List<String> ptr(InetAddress address) {
        return List.of();
    }
}
