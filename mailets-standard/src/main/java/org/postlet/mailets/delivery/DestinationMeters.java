package org.postlet.mailets.delivery;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.net.IDN;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.postlet.outbound.RecipientResult.Outcome;

/**
 * RemoteDelivery's outcomes by destination domain: {@code remote.domain.<domain>.delivered},
 * {@code .deferred} and {@code .failed}, the server's {@code ServerMetric.REMOTE_DOMAIN_*} (a
 * Prometheus label {@code domain}). The dots of the domain are written {@code _} so that it stays
 * one segment of the Dropwizard name; a mail domain has no {@code _} (RFC 5321 §4.1.2), so the
 * Prometheus export turns them back. Every domain adds three series, so only the first
 * {@link #MAX_DOMAINS} domains the registry sees get their own; the others, and what is no plain
 * domain name (an address literal), count under {@link #OTHER}.
 */
final class DestinationMeters {

    /** How many domains get counters of their own, over the whole server. */
    static final int MAX_DOMAINS = 100;
    /** The label of every domain beyond {@link #MAX_DOMAINS}. */
    static final String OTHER = "other";

    private static final String PREFIX = "remote.domain.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private final MetricRegistry registry;
    /** The labels this step already decided, at most {@link #MAX_DOMAINS} + 1 entries. */
    private final Map<String, String> labels = new ConcurrentHashMap<>();
    /** The registry holds counters for {@link #MAX_DOMAINS} domains; guarded by {@code this}. */
    private boolean full;

    DestinationMeters(MetricRegistry registry) {
        this.registry = registry;
    }

    /** The meter counting {@code outcome} for recipients in {@code domain}. */
    Meter meter(String domain, Outcome outcome) {
        return registry.meter(name(label(domain), outcome));
    }

    private static String name(String label, Outcome outcome) {
        return PREFIX + label + "." + outcome.name().toLowerCase(Locale.ROOT);
    }

    /** The domain's segment: the A-label form in lower case with {@code _} for dots, or {@link #OTHER}. */
    private String label(String domain) {
        String known = labels.get(domain);
        if (known != null) {
            return known;
        }
        String segment = segment(domain);
        if (segment.equals(OTHER)) {
            return OTHER; // not remembered: the map stays bounded whatever domains come
        }
        synchronized (this) {
            // The registry is the server's, shared by every RemoteDelivery step: it holds the count.
            boolean admitted = registry.getMetrics().containsKey(name(segment, Outcome.DELIVERED)) || roomForAnother();
            String label = admitted ? segment : OTHER;
            // Registered at once, all three: a series exists from the first delivery, for rate() and alerts.
            for (Outcome o : Outcome.values()) {
                registry.meter(name(label, o));
            }
            if (admitted) {
                labels.put(domain, label);
            }
            return label;
        }
    }

    /**
     * Whether the registry has counters for fewer than {@link #MAX_DOMAINS} domains. Counters are never
     * removed, so once it is full it stays full: from then on, a domain seen for the first time costs
     * no walk over the registry (a server past the limit meets such domains on every delivery).
     */
    private boolean roomForAnother() {
        if (!full) {
            long domains = registry.getMetrics().keySet().stream()
                    .filter(metric -> metric.startsWith(PREFIX) && metric.endsWith(".delivered")
                            && !metric.equals(name(OTHER, Outcome.DELIVERED)))
                    .count();
            full = domains >= MAX_DOMAINS;
        }
        return !full;
    }

    private static String segment(String domain) {
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return OTHER;
        }
        if (ascii.endsWith(".")) {
            ascii = ascii.substring(0, ascii.length() - 1);
        }
        return NAME.matcher(ascii).matches() && !ascii.equals(OTHER) ? ascii.replace('.', '_') : OTHER;
    }
}
