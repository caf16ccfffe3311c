package org.postlet.queue;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postlet.mailet.MailAddress;

/**
 * How a lease ends: an outcome for each recipient that was still to do.
 *
 * @param outcomes per recipient; a recipient of the lease that is missing here is done
 */
public record Disposition(Map<MailAddress, RecipientOutcome> outcomes) {

    public Disposition {
        outcomes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
    }

    /** Every recipient done. */
    public static Disposition done() {
        return new Disposition(Map.of());
    }

    /** These recipients to try again after {@code delay}; the others done. */
    public static Disposition retry(Collection<MailAddress> recipients, Duration delay, String reason) {
        Map<MailAddress, RecipientOutcome> outcomes = new LinkedHashMap<>();
        RecipientOutcome retry = new RecipientOutcome.Retry(delay, reason);
        recipients.forEach(r -> outcomes.put(r, retry));
        return new Disposition(outcomes);
    }

    /** The recipients to retry, in order. */
    public List<MailAddress> retrying() {
        return outcomes.entrySet().stream().filter(e -> e.getValue() instanceof RecipientOutcome.Retry)
                .map(Map.Entry::getKey).toList();
    }

    /** The shortest delay of the recipients to retry; empty when none is. */
    public Optional<Duration> retryDelay() {
        return outcomes.values().stream().filter(o -> o instanceof RecipientOutcome.Retry)
                .map(o -> ((RecipientOutcome.Retry) o).delay()).min(Duration::compareTo);
    }

    /** The reason given with the first recipient to retry, or "" when none is. */
    public String retryReason() {
        return outcomes.values().stream().filter(o -> o instanceof RecipientOutcome.Retry)
                .map(o -> ((RecipientOutcome.Retry) o).reason()).findFirst().orElse("");
    }
}
