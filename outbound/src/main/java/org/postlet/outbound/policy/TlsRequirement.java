package org.postlet.outbound.policy;

import java.util.Locale;
import java.util.Optional;
import org.postlet.outbound.client.TlsPolicy;
import org.postlet.outbound.sts.KnownPolicy;
import org.postlet.outbound.sts.StsPolicy.Mode;

/**
 * What TLS mail to one domain gets, and why.
 *
 * @param tls    the STARTTLS policy of its connections
 * @param mtaSts the domain's MTA-STS policy in mode enforce or testing, when that is what decides
 * @param source where the policy comes from, for messages: {@code tls}, {@code tlsPolicies} or {@code MTA-STS}
 */
public record TlsRequirement(TlsPolicy tls, Optional<KnownPolicy> mtaSts, String source) {

    /** Whether the domain's MTA-STS policy is enforced: only its MX hosts, only with a valid certificate. */
    public boolean enforced() {
        return mtaSts.isPresent() && mtaSts.get().policy().mode() == Mode.ENFORCE;
    }

    /** Whether the domain's MTA-STS policy is in testing: checked and reported, not enforced. */
    public boolean testing() {
        return mtaSts.isPresent() && mtaSts.get().policy().mode() == Mode.TESTING;
    }

    /** {@code MTA-STS policy of example.com (enforce, id 2024)}, to begin messages with. */
    public String describe() {
        return mtaSts.map(p -> "MTA-STS policy of " + p.domain() + " (" + p.policy().mode().name().toLowerCase(Locale.ROOT)
                + ", id " + p.id() + ")").orElse(source + " " + tls.name().toLowerCase(Locale.ROOT));
    }
}
