package org.postlet.outbound.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.postlet.dns.DnsFailureException;
import org.postlet.dns.DnsResolver;
import org.postlet.dns.MxAnswer;

/**
 * Which hosts to try, in order, for mail to a domain (RFC 5321 §5.1): the gateway when one is
 * configured; otherwise the MX hosts by preference, in random order among equal preferences so
 * load spreads as the domain intends; the domain itself when it has no MX.
 */
public final class Router {

    private final DnsResolver dns;
    private final int port;
    private final Optional<Hop> gateway;
    private final RandomGenerator random;

    /**
     * @param port    the port of every MX host
     * @param gateway a smarthost taking all mail instead of the MX hosts
     */
    public Router(DnsResolver dns, int port, Optional<Hop> gateway, RandomGenerator random) {
        this.dns = dns;
        this.port = port;
        this.gateway = gateway;
        this.random = random;
    }

    public DnsResolver dns() {
        return dns;
    }

    /** The gateway, if all mail goes there. */
    public Optional<Hop> gateway() {
        return gateway;
    }

    /**
     * The hosts to try for {@code domain}, best first.
     *
     * @throws RouteFailure when no host may be tried: permanent for a domain that does not exist
     *                      or publishes a null MX, temporary when DNS failed
     */
    public List<Hop> route(String domain) throws RouteFailure {
        if (gateway.isPresent()) {
            return List.of(gateway.get());
        }
        MxAnswer answer;
        try {
            answer = dns.mx(domain);
        } catch (DnsFailureException e) {
            throw new RouteFailure("cannot look up the MX of " + domain + ": " + e.getMessage(), false, "4.4.3");
        }
        if (answer instanceof MxAnswer.Exchanges exchanges) {
            return ordered(exchanges.exchanges());
        }
        if (answer instanceof MxAnswer.NoMx) {
            return List.of(new Hop(domain, port, 0));
        }
        if (answer instanceof MxAnswer.NullMx) {
            throw new RouteFailure(domain + " accepts no mail (null MX, RFC 7505)", true, "5.1.10");
        }
        throw new RouteFailure("the domain " + domain + " does not exist", true, "5.1.2");
    }

    private List<Hop> ordered(List<MxAnswer.Mx> exchanges) {
        Map<Integer, List<Hop>> byPreference = new TreeMap<>(Comparator.naturalOrder());
        for (MxAnswer.Mx mx : exchanges) {
            byPreference.computeIfAbsent(mx.preference(), p -> new ArrayList<>()).add(new Hop(mx.host(), port, mx.preference()));
        }
        List<Hop> hops = new ArrayList<>();
        for (List<Hop> equal : byPreference.values()) {
            Collections.shuffle(equal, asRandom());
            hops.addAll(equal);
        }
        return hops;
    }

    private Random asRandom() {
        return random instanceof Random r ? r : new Random(random.nextLong());
    }
}
