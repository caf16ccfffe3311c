package org.postlet.outbound.policy;

import java.util.Optional;
import org.postlet.outbound.client.TlsPolicy;
import org.postlet.outbound.sts.KnownPolicy;
import org.postlet.outbound.sts.MtaSts;

/**
 * Which TLS mail to a domain's MX hosts gets. The precedence: an entry of the {@link TlsTable} (the
 * operator's explicit choice), else the domain's MTA-STS policy in mode enforce ({@code verify} and
 * only its MX hosts), else the step's {@code tls}; an MTA-STS policy in mode testing keeps the step's
 * {@code tls} and is only checked. Not for a gateway: the table and MTA-STS name recipient domains,
 * not the smarthost.
 *
 * @param table  the operator's table
 * @param mtaSts the MTA-STS lookup, empty when MTA-STS is off
 */
public record TlsRules(TlsTable table, Optional<MtaSts> mtaSts) {

    /** No table, no MTA-STS: every domain gets the step's {@code tls}. */
    public static final TlsRules NONE = new TlsRules(TlsTable.EMPTY, Optional.empty());

    /** The requirement for mail to {@code domain}, {@code fallback} being the step's {@code tls}. */
    public TlsRequirement forDomain(String domain, TlsPolicy fallback) {
        Optional<TlsPolicy> listed = table.policy(domain);
        if (listed.isPresent()) {
            return new TlsRequirement(listed.get(), Optional.empty(), TlsRequirement.Source.TABLE);
        }
        Optional<KnownPolicy> policy = mtaSts.flatMap(m -> m.policy(domain));
        if (policy.isEmpty()) {
            return TlsRequirement.step(fallback);
        }
        return switch (policy.get().policy().mode()) {
            case ENFORCE -> new TlsRequirement(TlsPolicy.VERIFY, policy, TlsRequirement.Source.MTA_STS);
            case TESTING -> new TlsRequirement(fallback, policy, TlsRequirement.Source.STEP);
            case NONE -> TlsRequirement.step(fallback);
        };
    }
}
