package org.postlet.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The server's DNS client: asks recursive resolvers for MX, A, AAAA, TXT and PTR records, for remote
 * delivery and mail authentication alike. Each instance has its own resolvers and no cache of its own
 * (the recursive resolver caches), so nothing is shared between instances and a test can point one at
 * its own DNS server. A name that does not exist, or cannot (not a valid DNS name), has no records; only
 * a failure to get an answer is an exception.
 */
public final class DnsResolver {

    private final Resolver resolver;
    private final List<InetSocketAddress> servers;

    /**
     * @param servers the recursive resolvers to ask, in order; with none, every question fails
     *                (temporarily), as {@code dns.resolvers: []} asks
     * @param timeout how long to wait for one answer, over all servers and retries
     */
    public DnsResolver(List<InetSocketAddress> servers, Duration timeout) {
        this.servers = List.copyOf(servers);
        List<Resolver> each = new ArrayList<>();
        for (InetSocketAddress server : this.servers) {
            each.add(new SimpleResolver(server));
        }
        ExtendedResolver extended = new ExtendedResolver(each);
        extended.setTimeout(timeout);
        this.resolver = extended;
    }

    /** Asks the system's resolvers ({@code /etc/resolv.conf}). */
    public static DnsResolver system(Duration timeout) {
        return new DnsResolver(ResolverConfig.getCurrentConfig().servers(), timeout);
    }

    /** The resolvers asked, for log lines and {@code check}. */
    public List<InetSocketAddress> servers() {
        return servers;
    }

    /**
     * Where mail for {@code domain} goes.
     *
     * @throws DnsFailureException when no resolver gave a definite answer
     */
    public MxAnswer mx(String domain) throws DnsFailureException {
        Message answer = ask(domain, Type.MX);
        if (answer.getRcode() == Rcode.NXDOMAIN) {
            return new MxAnswer.NoSuchDomain();
        }
        List<MxAnswer.Mx> exchanges = new ArrayList<>();
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r instanceof MXRecord mx) {
                exchanges.add(new MxAnswer.Mx(mx.getPriority(), host(mx.getTarget())));
            }
        }
        if (exchanges.isEmpty()) {
            return new MxAnswer.NoMx();
        }
        // RFC 7505: a single MX whose exchange is the root is "no mail here".
        if (exchanges.size() == 1 && exchanges.get(0).host().isEmpty()) {
            return new MxAnswer.NullMx();
        }
        exchanges.removeIf(mx -> mx.host().isEmpty());
        return exchanges.isEmpty() ? new MxAnswer.NullMx() : new MxAnswer.Exchanges(exchanges);
    }

    /**
     * The IPv4 then IPv6 addresses of {@code host}; empty when it has none or does not exist.
     *
     * @throws DnsFailureException when no resolver gave a definite answer
     */
    public List<InetAddress> addresses(String host) throws DnsFailureException {
        List<InetAddress> addresses = new ArrayList<>();
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Message answer = ask(host, type);
            for (Record r : answer.getSection(Section.ANSWER)) {
                if (r instanceof ARecord a) {
                    addresses.add(a.getAddress());
                } else if (r instanceof AAAARecord aaaa) {
                    addresses.add(aaaa.getAddress());
                }
            }
        }
        return addresses;
    }

    /**
     * The TXT records of {@code name}, each one's strings joined (RFC 7208 §3.3 and RFC 8461 §3.1
     * read them so); empty when there is none or the name does not exist.
     *
     * @throws DnsFailureException when no resolver gave a definite answer
     */
    public List<String> txt(String name) throws DnsFailureException {
        List<String> texts = new ArrayList<>();
        for (Record r : ask(name, Type.TXT).getSection(Section.ANSWER)) {
            if (r instanceof TXTRecord txt) {
                texts.add(String.join("", txt.getStrings()));
            }
        }
        return texts;
    }

    /**
     * The host names a reverse lookup of {@code address} gives (lower case, without the final dot);
     * empty when there is none.
     *
     * @throws DnsFailureException when no resolver gave a definite answer
     */
    public List<String> ptr(InetAddress address) throws DnsFailureException {
        List<String> names = new ArrayList<>();
        for (Record r : ask(ReverseMap.fromAddress(address).toString(), Type.PTR).getSection(Section.ANSWER)) {
            if (r instanceof PTRRecord ptr) {
                names.add(host(ptr.getTarget()));
            }
        }
        return names;
    }

    private Message ask(String domain, int type) throws DnsFailureException {
        Name name;
        try {
            name = Name.fromString(domain.endsWith(".") ? domain : domain + ".");
        } catch (TextParseException e) {
            // No resolver could answer for it: it names nothing, as NXDOMAIN says.
            Message nothing = new Message();
            nothing.getHeader().setRcode(Rcode.NXDOMAIN);
            return nothing;
        }
        if (servers.isEmpty()) {
            throw new DnsFailureException("no DNS resolver is configured (dns.resolvers is empty) to look up "
                    + Type.string(type) + " " + domain);
        }
        Message answer;
        try {
            answer = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        } catch (IOException e) {
            throw new DnsFailureException("no answer for " + Type.string(type) + " " + domain + " from " + servers + ": "
                    + e.getMessage(), e);
        }
        int rcode = answer.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new DnsFailureException(Type.string(type) + " " + domain + ": the resolver answered " + Rcode.string(rcode));
        }
        return answer;
    }

    private static String host(Name name) {
        return name.equals(Name.root) ? "" : name.toString(true).toLowerCase(Locale.ROOT);
    }
}
