package org.postlet.auth.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * The DNS queries mail authentication needs. A name that does not exist and a name without
 * records of the type both answer an empty list; only a failure to get an answer (timeout,
 * SERVFAIL) is an exception, because SPF, DKIM and DMARC treat it as a temporary error.
 */
public interface DnsLookup {

    /** The TXT records of {@code name}, each one's strings joined without separator. */
    List<String> txt(String name) throws DnsTemporaryException;

    /** The IPv4 and IPv6 addresses of {@code name} (A then AAAA). */
    List<InetAddress> addresses(String name) throws DnsTemporaryException;

    /** The mail exchangers of {@code name}, host names without trailing dot, lowest preference first. */
    List<String> mx(String name) throws DnsTemporaryException;

    /** The names a reverse (PTR) lookup of {@code address} gives. */
    List<String> ptr(InetAddress address) throws DnsTemporaryException;

    /**
     * A lookup with no resolver to ask: every query fails temporarily with {@code reason}, so
     * SPF, DKIM and DMARC answer {@code temperror} rather than guessing.
     */
    static DnsLookup unanswered(String reason) {
        return new DnsLookup() {
            @Override
            public List<String> txt(String name) throws DnsTemporaryException {
                throw new DnsTemporaryException(name + " TXT: " + reason);
            }

            @Override
            public List<InetAddress> addresses(String name) throws DnsTemporaryException {
                throw new DnsTemporaryException(name + " A/AAAA: " + reason);
            }

            @Override
            public List<String> mx(String name) throws DnsTemporaryException {
                throw new DnsTemporaryException(name + " MX: " + reason);
            }

            @Override
            public List<String> ptr(InetAddress address) throws DnsTemporaryException {
                throw new DnsTemporaryException(address.getHostAddress() + " PTR: " + reason);
            }
        };
    }
}
