package org.postlet.auth.dns;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import org.postlet.dns.DnsFailureException;
import org.postlet.dns.DnsResolver;
import org.postlet.dns.MxAnswer;

/** {@link DnsLookup} through the server's one DNS client. */
final class ResolverLookup implements DnsLookup {

    /** One question to the client. */
    @FunctionalInterface
    private interface Question<T> {
        T ask() throws DnsFailureException;
    }

    private final DnsResolver resolver;

    ResolverLookup(DnsResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public List<String> txt(String name) throws DnsTemporaryException {
        return answer(() -> resolver.txt(name));
    }

    @Override
    public List<InetAddress> addresses(String name) throws DnsTemporaryException {
        return answer(() -> resolver.addresses(name));
    }

    @Override
    public List<String> mx(String name) throws DnsTemporaryException {
        MxAnswer answer = answer(() -> resolver.mx(name));
        // SPF's mx mechanism wants the hosts, lowest preference first; a null MX names none.
        return answer instanceof MxAnswer.Exchanges exchanges
                ? exchanges.exchanges().stream().sorted(Comparator.comparingInt(MxAnswer.Mx::preference))
                        .map(MxAnswer.Mx::host).toList()
                : List.of();
    }

    @Override
    public List<String> ptr(InetAddress address) throws DnsTemporaryException {
        return answer(() -> resolver.ptr(address));
    }

    /** The client's answer; its failure to get one is temporary for mail authentication. */
    private static <T> T answer(Question<T> question) throws DnsTemporaryException {
        try {
            return question.ask();
        } catch (DnsFailureException e) {
            throw new DnsTemporaryException(e.getMessage(), e);
        }
    }
}
