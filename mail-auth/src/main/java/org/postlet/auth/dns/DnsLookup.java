package org.postlet.auth.dns;

import java.net.InetAddress;
import java.util.List;
import org.postlet.dns.DnsResolver;

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
     * The lookup through the server's DNS client: a failure to get an answer (no resolver configured,
     * timeout, SERVFAIL) is a {@link DnsTemporaryException}, which SPF, DKIM and DMARC report as
     * {@code temperror}.
     */
    static DnsLookup through(DnsResolver resolver) {
        return new ResolverLookup(resolver);
    }
}
