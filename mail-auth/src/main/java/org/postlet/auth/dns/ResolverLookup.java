package org.postlet.auth.dns;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import org.postlet.dns.DnsFailureException;
import org.postlet.dns.DnsResolver;
import org.postlet.dns.MxAnswer;

/** {@link DnsLookup} through the server's one DNS client. */
final class ResolverLookup implements DnsLookup {

    private final DnsResolver resolver;

    ResolverLookup(DnsResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public List<String> txt(String name) throws DnsTemporaryException {
        try {
            return resolver.txt(name);
        } catch (DnsFailureException e) {
            throw temporary(e);
        }
    }

    @Override
    public List<InetAddress> addresses(String name) throws DnsTemporaryException {
        try {
            return resolver.addresses(name);
        } catch (DnsFailureException e) {
            throw temporary(e);
        }
    }

    @Override
    public List<String> mx(String name) throws DnsTemporaryException {
        MxAnswer answer;
        try {
            answer = resolver.mx(name);
        } catch (DnsFailureException e) {
            throw temporary(e);
        }
        // SPF's mx mechanism wants the hosts, lowest preference first; a null MX names none.
        return answer instanceof MxAnswer.Exchanges exchanges
                ? exchanges.exchanges().stream().sorted(Comparator.comparingInt(MxAnswer.Mx::preference))
                        .map(MxAnswer.Mx::host).toList()
                : List.of();
    }

    @Override
    public List<String> ptr(InetAddress address) throws DnsTemporaryException {
        try {
            return resolver.ptr(address);
        } catch (DnsFailureException e) {
            throw temporary(e);
        }
    }

    private static DnsTemporaryException temporary(DnsFailureException e) {
        return new DnsTemporaryException(e.getMessage(), e);
    }
}
