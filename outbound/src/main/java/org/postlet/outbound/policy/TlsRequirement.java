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
 * @param mtaSts the domain's MTA-STS policy in mode enforce or testing, when it applies
 * @param source which setting decided {@code tls}
 */
public record TlsRequirement(TlsPolicy tls, Optional<KnownPolicy> mtaSts, Source source) {

    /** Where the policy of a destination comes from. */
    public enum Source {
        /** The step's {@code tls} parameter. */
        STEP,
        /** An entry of the {@code tlsPolicies} table. */
        TABLE,
        /** The domain's MTA-STS policy in mode enforce. */
        MTA_STS
    }

    /** The step's {@code tls}, as for a gateway. */
    public static TlsRequirement step(TlsPolicy tls) {
        return new TlsRequirement(tls, Optional.empty(), Source.STEP);
    }

    /** Whether the domain's MTA-STS policy is enforced: only its MX hosts, only with a valid certificate. */
    public boolean enforced() {
        return mtaSts.isPresent() && mtaSts.get().policy().mode() == Mode.ENFORCE;
    }

    /** Whether the domain's MTA-STS policy is in testing: checked and reported, not enforced. */
    public boolean testing() {
        return mtaSts.isPresent() && mtaSts.get().policy().mode() == Mode.TESTING;
    }

    /**
     * {@code MTA-STS policy of example.com (enforce, id 2024)} or {@code tlsPolicies encrypt}, to
     * begin messages with.
     */
    public String describe() {
        return mtaSts.map(p -> "MTA-STS policy of " + p.domain() + " (" + p.policy().mode().name().toLowerCase(Locale.ROOT)
                + ", id " + p.id() + ")").orElse((source == Source.TABLE ? "tlsPolicies " : "tls ")
                + tls.name().toLowerCase(Locale.ROOT));
    }
}
