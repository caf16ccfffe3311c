package org.postlet.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.postlet.outbound.RecipientResult.Outcome;
import org.postlet.outbound.client.HostRefusedException;
import org.postlet.outbound.client.OutboundMessage;
import org.postlet.outbound.client.Reply;
import org.postlet.outbound.client.SmtpConnection;
import org.postlet.outbound.client.SmtpSession;
import org.postlet.outbound.client.TlsPolicy;
import org.postlet.dns.DnsFailureException;
import org.postlet.outbound.policy.TlsRequirement;
import org.postlet.outbound.policy.TlsRules;
import org.postlet.outbound.route.Hop;
import org.postlet.outbound.route.RouteFailure;
import org.postlet.outbound.route.Router;
import org.postlet.outbound.route.Self;
import org.postlet.outbound.sts.StsPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a message to the recipients of one domain: routes it, tries the hosts in order (the next
 * one when a host cannot be reached or refuses to talk), and reports each recipient's outcome.
 * Thread-safe; at most {@link TransportSettings#connectionsPerDestination()} deliveries to one
 * destination run at once, and a delivery that cannot get a slot in time is deferred rather than
 * holding its worker, so one slow domain never stops the others. A connection that delivered a
 * message is kept open for a few seconds for the next message to the same host. The TLS of a
 * domain's MX hosts follows {@link TlsRules}: the operator's table, the domain's MTA-STS policy, the
 * step's {@code tls}.
 */
public final class RemoteTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteTransport.class);

    private final Router router;
    private final Self self;
    private final TransportSettings settings;
    private final SSLSocketFactory opportunistic;
    private final SSLSocketFactory verified;
    private final TlsRules rules;
    /** How long an MX host that fails a domain's MTA-STS policy in testing is not checked (nor reported) again. */
    static final Duration TESTING_QUIET = Duration.ofHours(1);
    /** How long a connection is kept open, idle, for the next message to the same host. */
    static final Duration IDLE_TIME = Duration.ofSeconds(5);

    private final Map<String, Semaphore> destinations = new ConcurrentHashMap<>();
    private final Map<Spot, Deque<Parked>> idle = new ConcurrentHashMap<>();
    private final Map<String, Instant> testingFailures = new ConcurrentHashMap<>();

    public RemoteTransport(Router router, Self self, TransportSettings settings) {
        this(router, self, settings, trustingAny(), (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** With the TLS contexts given, e.g. one trusting a test's certificate authority for {@code verify}. */
    public RemoteTransport(Router router, Self self, TransportSettings settings, SSLSocketFactory opportunistic,
                           SSLSocketFactory verified) {
        this(router, self, settings, opportunistic, verified, TlsRules.NONE);
    }

    /** With the JVM's TLS and the TLS {@code rules} of the MX hosts of each domain. */
    public RemoteTransport(Router router, Self self, TransportSettings settings, TlsRules rules) {
        this(router, self, settings, trustingAny(), (SSLSocketFactory) SSLSocketFactory.getDefault(), rules);
    }

    /**
     * With the TLS contexts given and the TLS {@code rules} of each domain's MX hosts (for a
     * gateway, only {@link TransportSettings#tls()} counts).
     */
    public RemoteTransport(Router router, Self self, TransportSettings settings, SSLSocketFactory opportunistic,
                           SSLSocketFactory verified, TlsRules rules) {
        this.rules = rules;
        this.router = router;
        this.self = self;
        this.settings = settings;
        this.opportunistic = opportunistic;
        this.verified = verified;
    }

    /**
     * Hears each recipient's outcome as soon as the remote's reply to the message is in, before the
     * session is closed: a remote that is slow to answer QUIT (or a crash meanwhile) must not leave a
     * delivery unrecorded.
     */
    @FunctionalInterface
    public interface Outcomes {
        void known(List<RecipientResult> results);
    }

    /**
     * Sends {@code message} to its recipients, all in {@code domain}.
     *
     * @return one result per recipient, in the message's order
     */
    public List<RecipientResult> deliver(String domain, OutboundMessage message) throws InterruptedException {
        return deliver(domain, message, results -> { });
    }

    /**
     * Like {@link #deliver(String, OutboundMessage)}, telling {@code outcomes} the results of the
     * transaction that reached the remote before closing its connection.
     */
    public List<RecipientResult> deliver(String domain, OutboundMessage message, Outcomes outcomes)
            throws InterruptedException {
        String destination = router.gateway().map(Hop::toString).orElse(domain);
        Semaphore slots = destinations.computeIfAbsent(destination, d -> new Semaphore(settings.connectionsPerDestination()));
        if (!slots.tryAcquire(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            return all(message, Outcome.DEFERRED, "4.4.5", "already " + settings.connectionsPerDestination()
                    + " connections to " + destination + " in use; tried again later");
        }
        try {
            return route(domain, message, outcomes);
        } finally {
            slots.release();
        }
    }

    private List<RecipientResult> route(String domain, OutboundMessage message, Outcomes outcomes) {
        List<Hop> hops;
        try {
            hops = router.route(domain);
        } catch (RouteFailure f) {
            return all(message, f.permanent() ? Outcome.FAILED : Outcome.DEFERRED, f.status(), f.getMessage());
        }
        TlsRequirement tls = router.gateway().isPresent() ? TlsRequirement.step(settings.tls())
                : rules.forDomain(domain, settings.tls());
        if (tls.mtaSts().isPresent()) {
            StsPolicy policy = tls.mtaSts().get().policy();
            List<Hop> refused = hops.stream().filter(h -> !policy.allows(h.host())).toList();
            if (!refused.isEmpty()) {
                String why = tls.describe() + " allows only the MX hosts " + policy.mx() + ", not "
                        + refused.stream().map(Hop::host).toList();
                if (tls.testing()) {
                    LOG.warn("{}; in mode enforce mail to them would wait. Delivering as without the policy", why);
                } else if (refused.size() == hops.size()) {
                    return all(message, Outcome.DEFERRED, "4.7.5", why);
                } else {
                    LOG.info("{}; trying only the others", why);
                    hops = hops.stream().filter(h -> policy.allows(h.host())).toList();
                }
            }
        }
        // An error under a policy other than the step's says which policy demanded what failed.
        String because = tls.source() == TlsRequirement.Source.STEP ? "" : tls.describe() + ": ";
        String lastError = "no host to try";
        Reply lastReply = null;
        boolean tried = false;
        boolean anyAddress = false;
        boolean loop = false;
        hosts:
        for (Hop hop : hops) {
            List<InetAddress> addresses;
            try {
                addresses = hop.literal() ? List.of(InetAddress.getByName(hop.host())) : router.dns().addresses(hop.host());
            } catch (DnsFailureException | IOException e) {
                lastError = "cannot find the address of " + hop.host() + ": " + e.getMessage();
                anyAddress = true; // unknown, not known to be absent
                continue;
            }
            if (addresses.isEmpty()) {
                lastError = "the mail host " + hop.host() + " has no address";
                continue;
            }
            anyAddress = true;
            for (InetAddress address : addresses) {
                if (self.is(hop.host(), address, hop.port())) {
                    // RFC 5321 §5.1: hosts no better than ourselves must not be tried.
                    lastError = "mail for " + domain + " loops back to myself (" + hop + ")";
                    loop = true;
                    break hosts;
                }
                tried = true;
                try {
                    if (tls.testing() && tls.mtaSts().get().policy().allows(hop.host()) && checkDue(hop)) {
                        try {
                            return attempt(hop, address, TlsPolicy.VERIFY, message, outcomes);
                        } catch (HostRefusedException | SSLHandshakeException e) {
                            testingFailures.put(hop.host(), Instant.now().plus(TESTING_QUIET));
                            LOG.warn("{}: in mode enforce mail would wait: {}. Delivering as without the policy (this"
                                    + " host is not checked again for {} min)", tls.describe(), e.getMessage(),
                                    TESTING_QUIET.toMinutes());
                        }
                    }
                    return attempt(hop, address, tls.tls(), message, outcomes);
                } catch (HostRefusedException e) {
                    lastError = because + e.getMessage();
                    lastReply = e.reply();
                    LOG.info("{}; trying the next host", e.getMessage());
                } catch (IOException e) {
                    lastError = because + "connection to " + hop.host() + "[" + address.getHostAddress() + "]:" + hop.port()
                            + " failed: " + e.getMessage();
                    lastReply = null;
                    LOG.info("{}; trying the next host", lastError);
                }
            }
        }
        if (loop && !tried) {
            return all(message, Outcome.FAILED, "5.4.6", lastError);
        }
        if (!anyAddress && router.gateway().isEmpty()) {
            return all(message, Outcome.FAILED, "5.1.2", lastError);
        }
        if (lastReply != null && lastReply.permanentFailure()) {
            if (tls.enforced()) {
                // A host that refuses what the policy demands (a 5xx to STARTTLS) may be an attacker's stand-in,
                // and the policy may be fixed soon: the mail waits (RFC 8461 §5) rather than bounce.
                return all(message, Outcome.DEFERRED, "4.7.5", lastError);
            }
            return all(message, Outcome.FAILED, lastReply.enhancedStatus().orElse("5.0.0"), lastError);
        }
        return all(message, Outcome.DEFERRED, lastReply != null ? lastReply.enhancedStatus().orElse("4.4.1") : "4.4.1",
                lastError);
    }

    /** Whether an MX host of a domain in MTA-STS testing is to be checked: not if it failed within {@link #TESTING_QUIET}. */
    private boolean checkDue(Hop hop) {
        Instant quietUntil = testingFailures.get(hop.host());
        return quietUntil == null || Instant.now().isAfter(quietUntil);
    }

    private List<RecipientResult> attempt(Hop hop, InetAddress address, TlsPolicy tls, OutboundMessage message,
                                          Outcomes outcomes) throws IOException, HostRefusedException {
        InetSocketAddress target = new InetSocketAddress(address, hop.port());
        // A parked connection is reused only under the same TLS policy and host name its TLS was checked for.
        Spot spot = new Spot(target, hop.host(), tls);
        SmtpSession session = reused(spot);
        if (session == null) {
            SmtpConnection connection = SmtpConnection.open(target, hop.host(), settings.connectTimeout(),
                    settings.replyTimeout());
            try {
                // The login is for the gateway only, never for the MX hosts of other domains.
                session = SmtpSession.start(connection, settings.heloName(), tls, opportunistic, verified,
                        router.gateway().isPresent() ? settings.gatewayLogin() : Optional.empty());
            } catch (IOException | HostRefusedException | RuntimeException e) {
                connection.close();
                throw e;
            }
        }
        boolean keep = false;
        try {
            String mta = session.connection().describe();
            if (session.extensions().tooLarge(message.size())) {
                keep = true; // nothing was sent: the session can carry the next message
                return all(message, Outcome.FAILED, "5.3.4", mta + " accepts messages of at most "
                        + session.extensions().size().getAsLong() + " bytes; this one has " + message.size(), mta);
            }
            if (message.needsSmtpUtf8() && !session.extensions().offers("SMTPUTF8")) {
                keep = true;
                return all(message, Outcome.FAILED, "5.6.7", mta + " does not support SMTPUTF8, which the"
                        + " non-ASCII addresses of this message need", mta);
            }
            List<RecipientResult> results = new ArrayList<>();
            for (Map.Entry<String, Reply> e : session.send(message).entrySet()) {
                results.add(RecipientResult.of(e.getKey(), e.getValue(), mta, session.extensions().offers("DSN")));
            }
            outcomes.known(results);
            keep = session.reset();
            return results;
        } finally {
            if (keep) {
                park(spot, session);
            } else {
                session.close();
            }
        }
    }

    /**
     * An idle session to {@code target} that still answers, if one was parked in the last
     * {@link #IDLE_TIME}: reusing it saves the connection, EHLO and TLS handshake of the next
     * message to the same host (Postfix's connection cache does the same).
     */
    private SmtpSession reused(Spot spot) {
        Deque<Parked> parked = idle.get(spot);
        if (parked == null) {
            return null;
        }
        long now = System.nanoTime();
        for (Parked p = parked.pollFirst(); p != null; p = parked.pollFirst()) {
            if (now - p.since() < IDLE_TIME.toNanos() && p.session().alive()) {
                return p.session();
            }
            p.session().close();
        }
        return null;
    }

    private void park(Spot spot, SmtpSession session) {
        Deque<Parked> parked = idle.computeIfAbsent(spot, t -> new ConcurrentLinkedDeque<>());
        if (parked.size() >= settings.connectionsPerDestination()) {
            session.close();
            return;
        }
        parked.addFirst(new Parked(session, System.nanoTime()));
    }

    /** Says QUIT on every idle connection; deliveries still running finish on their own. */
    @Override
    public void close() {
        for (Deque<Parked> parked : idle.values()) {
            for (Parked p = parked.pollFirst(); p != null; p = parked.pollFirst()) {
                p.session().close();
            }
        }
    }

    private record Parked(SmtpSession session, long since) {
    }

    /** Where a parked connection goes and under which TLS policy it was made. */
    private record Spot(InetSocketAddress target, String host, TlsPolicy tls) {
    }

    private static List<RecipientResult> all(OutboundMessage message, Outcome outcome, String status, String why) {
        return message.recipients().stream().map(r -> RecipientResult.local(r, outcome, status, why)).toList();
    }

    private static List<RecipientResult> all(OutboundMessage message, Outcome outcome, String status, String why,
                                             String mta) {
        return message.recipients().stream().map(r -> new RecipientResult(r, outcome, status, why,
                Optional.of(mta), Optional.empty(), false)).toList();
    }

    /** Opportunistic TLS (RFC 7435): encryption against passive listeners, without authenticating the server. */
    private static SSLSocketFactory trustingAny() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM offers no TLS: " + e.getMessage(), e);
        }
    }
}
