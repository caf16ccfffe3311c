package org.postlet.auth.spf;

/**
 * The result of one SPF check.
 *
 * @param result   the result
 * @param domain   the domain checked (MAIL FROM's or HELO's)
 * @param identity the identity checked: the MAIL FROM address, or {@code postmaster@<helo>}
 * @param reason   what decided it, for logs and headers
 */
public record SpfVerdict(SpfResult result, String domain, String identity, String reason) {
}
