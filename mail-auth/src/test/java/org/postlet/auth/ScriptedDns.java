package org.postlet.auth;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postlet.auth.dns.DnsLookup;
import org.postlet.auth.dns.DnsTemporaryException;

/** A DNS held in memory for unit tests; names in {@link #failing} answer a temporary error. */
public final class ScriptedDns implements DnsLookup {

    private final Map<String, List<String>> txt = new HashMap<>();
    private final Map<String, List<InetAddress>> addresses = new HashMap<>();
    private final Map<String, List<String>> mx = new HashMap<>();
    private final Set<String> failing = new HashSet<>();

    public ScriptedDns txt(String name, String value) {
        txt.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value);
        return this;
    }

    public ScriptedDns address(String name, String ip) {
        try {
            addresses.computeIfAbsent(key(name), k -> new ArrayList<>()).add(InetAddress.getByName(ip));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
        return this;
    }

    public ScriptedDns mx(String name, String host) {
        mx.computeIfAbsent(key(name), k -> new ArrayList<>()).add(host);
        return this;
    }

    public ScriptedDns failing(String name) {
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
        return txt.getOrDefault(key(name), List.of());
    }

    @Override
    public List<InetAddress> addresses(String name) throws DnsTemporaryException {
        check(name);
        return addresses.getOrDefault(key(name), List.of());
    }

    @Override
    public List<String> mx(String name) throws DnsTemporaryException {
        check(name);
        return mx.getOrDefault(key(name), List.of());
    }

    @Override
    public List<String> ptr(InetAddress address) {
        return List.of();
    }
}
