package org.postlet.outbound.sts;

import java.io.IOException;
import java.net.IDN;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postlet.dns.DnsFailureException;
import org.postlet.dns.DnsResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which MTA-STS policy (RFC 8461) applies to mail for a domain. The TXT record {@code _mta-sts.<domain>}
 * is asked before each delivery; the policy is fetched over HTTPS when the record's id differs from
 * the cached one's, when the cached one expired ({@code max_age}), or once a day to refresh it. A
 * cached policy that has not expired keeps applying when the TXT record disappears or the fetch
 * fails, so a network attacker cannot downgrade a domain that once had one; a new policy that
 * cannot be fetched or is malformed leaves the cached one (or none). Policies are kept in a
 * {@link PolicyStore}, across restarts; an expired one is dropped from memory (on its next use, and
 * all of them once a day) as the store drops it from disk, and what is remembered about domains
 * without a policy is forgotten daily too, so neither grows with every domain ever mailed.
 * Thread-safe.
 */
public final class MtaSts {

    private static final Logger LOG = LoggerFactory.getLogger(MtaSts.class);
    /** How often an unexpired policy is fetched again anyway, to renew it before it expires (RFC 8461 §10.2). */
    static final Duration REFRESH = Duration.ofDays(1);
    /** How long a failed fetch is not tried again for the same TXT id, so a dead policy host does not slow every delivery. */
    static final Duration RETRY_FETCH = Duration.ofMinutes(5);

    private final DnsResolver dns;
    private final PolicyFetcher fetcher;
    private final PolicyStore store;
    private final Clock clock;
    private final Map<String, KnownPolicy> known = new ConcurrentHashMap<>();
    private final Map<String, FailedFetch> failed = new ConcurrentHashMap<>();
    /** Domains with no file in the store, so a delivery to a domain without a policy does not read the disk each time. */
    private final Set<String> unstored = ConcurrentHashMap.newKeySet();
    private final Object[] locks = new Object[64];
    private final SweepSchedule sweeps = new SweepSchedule(PolicyStore.SWEEP_EVERY);

    public MtaSts(DnsResolver dns, PolicyFetcher fetcher, PolicyStore store, Clock clock) {
        this.dns = dns;
        this.fetcher = fetcher;
        this.store = store;
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /** A fetch that failed for a TXT id, not tried again before {@code until}. */
    private record FailedFetch(String id, Instant until) {
    }

    /**
     * The policy that applies to mail for {@code domain} now (of any mode, {@code none} included);
     * empty when the domain has none.
     */
    public Optional<KnownPolicy> policy(String domain) {
        String d;
        try {
            // DNS and TLS know a domain by its ASCII form (an SMTPUTF8 recipient's domain may be in Unicode).
            d = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            LOG.info("MTA-STS: {} is not a valid domain name, so it has no policy: {}", domain, e.getMessage());
            return Optional.empty();
        }
        // One lookup per domain at a time: deliveries to the same domain wait for one fetch, not make many.
        synchronized (locks[Math.floorMod(d.hashCode(), locks.length)]) {
            return lookUp(d);
        }
    }

    private Optional<KnownPolicy> lookUp(String domain) {
        Instant now = clock.instant();
        forgetExpiredNowAndThen(now);
        Optional<KnownPolicy> cached = cached(domain, now).filter(p -> p.validAt(now));
        Optional<StsRecord> record;
        try {
            record = StsRecord.find(dns.txt("_mta-sts." + domain));
        } catch (DnsFailureException e) {
            cached.ifPresent(p -> LOG.info("MTA-STS: cannot look up _mta-sts.{} ({}); the cached policy (id {}) applies",
                    domain, e.getMessage(), p.id()));
            return cached;
        } catch (MalformedPolicyException e) {
            LOG.warn("MTA-STS record of {} is malformed, ignored: {}{}", domain, e.getMessage(), cachedNote(cached));
            return cached;
        }
        if (record.isEmpty()) {
            return cached; // a policy once seen outlives its record until it expires
        }
        String id = record.get().id();
        if (cached.isPresent() && cached.get().id().equals(id)
                && Duration.between(cached.get().fetched(), now).compareTo(REFRESH) < 0) {
            return cached;
        }
        FailedFetch failure = failed.get(domain);
        if (failure != null && failure.id().equals(id) && now.isBefore(failure.until())) {
            return cached;
        }
        String text;
        StsPolicy policy;
        try {
            text = fetcher.fetch(domain);
            policy = StsPolicy.parse(text);
        } catch (PolicyFetchException e) {
            LOG.warn("MTA-STS policy of {} (id {}) cannot be fetched: {}{}", domain, id, e.getMessage(), cachedNote(cached));
            failed.put(domain, new FailedFetch(id, now.plus(RETRY_FETCH)));
            return cached;
        } catch (MalformedPolicyException e) {
            LOG.warn("MTA-STS policy of {} (id {}) is malformed, ignored: {}{}", domain, id, e.getMessage(),
                    cachedNote(cached));
            failed.put(domain, new FailedFetch(id, now.plus(RETRY_FETCH)));
            return cached;
        }
        failed.remove(domain);
        KnownPolicy fresh = new KnownPolicy(domain, id, policy, now, text);
        known.put(domain, fresh);
        unstored.remove(domain);
        try {
            store.save(fresh);
        } catch (IOException e) {
            LOG.error("MTA-STS policy of {} cannot be saved (it applies until a restart): {}", domain, e.getMessage());
        }
        if (cached.isEmpty() || !cached.get().policy().equals(policy)) {
            LOG.info("MTA-STS policy of {} (id {}): mode {}, mx {}, max_age {} s", domain, id,
                    policy.mode().name().toLowerCase(Locale.ROOT), policy.mx(), policy.maxAge().toSeconds());
        }
        return Optional.of(fresh);
    }

    /** The policy cached for {@code domain} that still applies at {@code now}. */
    private Optional<KnownPolicy> cached(String domain, Instant now) {
        KnownPolicy inMemory = known.get(domain);
        if (inMemory != null) {
            if (inMemory.validAt(now)) {
                return Optional.of(inMemory);
            }
            // Expired (RFC 8461 §5.1): forget it here, and let the store delete its file on the load below.
            known.remove(domain, inMemory);
        }
        if (unstored.contains(domain)) {
            return Optional.empty();
        }
        try {
            Optional<KnownPolicy> stored = store.load(domain);
            stored.ifPresentOrElse(p -> known.put(domain, p), () -> unstored.add(domain));
            return stored;
        } catch (IOException | MalformedPolicyException e) {
            LOG.warn("MTA-STS: the cached policy of {} cannot be read, ignored: {}", domain, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Once a {@link PolicyStore#SWEEP_EVERY}, like the store's sweep on disk, forgets what no longer
     * matters: expired policies, failed fetches whose pause is over, and which domains had no file
     * (only a shortcut past the disk: forgetting it costs one read per domain). Otherwise every
     * domain ever mailed, most of them without a policy, would be held until a restart.
     */
    private void forgetExpiredNowAndThen(Instant now) {
        if (!sweeps.due(now)) {
            return;
        }
        known.values().removeIf(p -> !p.validAt(now));
        failed.values().removeIf(f -> !now.isBefore(f.until()));
        unstored.clear();
    }

    private static String cachedNote(Optional<KnownPolicy> cached) {
        return cached.map(p -> "; the cached policy (id " + p.id() + ", mode " + p.policy().mode().name().toLowerCase(Locale.ROOT)
                + ") applies until " + p.expires()).orElse("; no policy applies");
    }
}
