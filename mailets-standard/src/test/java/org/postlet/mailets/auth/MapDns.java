package org.postlet.mailets.auth;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postlet.auth.dns.DnsLookup;

/** TXT records held in memory; every other question has no answer. */
final class MapDns implements DnsLookup {

    private final Map<String, List<String>> txt = new HashMap<>();

    MapDns txt(String name, String... values) {
        txt.put(name, List.of(values));
        return this;
    }

    @Override
    public List<String> txt(String name) {
        return txt.getOrDefault(name, List.of());
    }

    @Override
    public List<InetAddress> addresses(String name) {
        return List.of();
    }

    @Override
    public List<String> mx(String name) {
        return List.of();
    }

    @Override
    public List<String> ptr(InetAddress address) {
        return List.of();
    }
}
