package org.postlet.auth.dmarc;

import java.util.Optional;

/**
 * What checking a message's From domain under DMARC gave.
 *
 * @param result      the result
 * @param fromDomain  the domain of the From address, empty when there is none
 * @param policy      the published policy that applies to the From domain ({@code p=}, or {@code sp=} for a subdomain)
 * @param disposition what to do with the mail: the policy when the result is fail (milder outside {@code pct=}),
 *                    otherwise {@link DmarcPolicy#NONE}
 * @param reason      what decided it
 */
public record DmarcVerdict(DmarcResult result, String fromDomain, Optional<DmarcPolicy> policy, DmarcPolicy disposition,
                           String reason) {
}
