package org.postlet.auth.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * {@link DnsLookup} through dnsjava, asking recursive resolvers directly with one query per
 * question: no cache shared across instances, so each server (and each test) sees its own DNS.
 */
public final class DnsjavaLookup implements DnsLookup {

    private final ExtendedResolver resolver;

    private DnsjavaLookup(List<InetSocketAddress> servers, Duration timeout) {
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress s : servers) {
            SimpleResolver r = new SimpleResolver(s);
            r.setTimeout(timeout);
            resolvers.add(r);
        }
        resolver = new ExtendedResolver(resolvers);
        resolver.setTimeout(timeout);
        resolver.setRetries(1);
    }

    /**
     * Asks {@code servers} in turn; with none, the system's resolvers ({@code /etc/resolv.conf}).
     *
     * @param timeout how long to wait for one server's answer
     */
    public static DnsjavaLookup of(List<InetSocketAddress> servers, Duration timeout) {
        List<InetSocketAddress> use = servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : servers;
        if (use.isEmpty()) {
            use = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53));
        }
        return new DnsjavaLookup(use, timeout);
    }

    @Override
    public List<String> txt(String name) throws DnsTemporaryException {
        List<String> out = new ArrayList<>();
        for (Record r : query(name, Type.TXT)) {
            out.add(String.join("", ((TXTRecord) r).getStrings()));
        }
        return out;
    }

    @Override
    public List<InetAddress> addresses(String name) throws DnsTemporaryException {
        List<InetAddress> out = new ArrayList<>();
        for (Record r : query(name, Type.A)) {
            out.add(((ARecord) r).getAddress());
        }
        for (Record r : query(name, Type.AAAA)) {
            out.add(((AAAARecord) r).getAddress());
        }
        return out;
    }

    @Override
    public List<String> mx(String name) throws DnsTemporaryException {
        return query(name, Type.MX).stream().map(r -> (MXRecord) r)
                .sorted(Comparator.comparingInt(MXRecord::getPriority))
                .map(r -> withoutDot(r.getTarget().toString())).toList();
    }

    @Override
    public List<String> ptr(InetAddress address) throws DnsTemporaryException {
        return query(ReverseMap.fromAddress(address).toString(), Type.PTR).stream()
                .map(r -> withoutDot(((PTRRecord) r).getTarget().toString())).toList();
    }

    private List<Record> query(String name, int type) throws DnsTemporaryException {
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return List.of(); // not a valid DNS name, so no records
        }
        Message answer;
        try {
            answer = resolver.send(Message.newQuery(Record.newRecord(qname, type, DClass.IN)));
        } catch (IOException e) {
            throw new DnsTemporaryException("no answer for " + name + " " + Type.string(type) + ": " + e.getMessage(), e);
        }
        int rcode = answer.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return List.of();
        }
        if (rcode != Rcode.NOERROR) {
            throw new DnsTemporaryException(name + " " + Type.string(type) + ": the resolver answered " + Rcode.string(rcode));
        }
        // The answer may hold a CNAME chain before the records asked for.
        return answer.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
    }

    private static String withoutDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
