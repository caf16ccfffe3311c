package org.postlet.auth;

import java.util.List;
import java.util.Locale;
import org.postlet.auth.dkim.DkimResult;
import org.postlet.auth.dkim.DkimVerdict;
import org.postlet.auth.dmarc.DmarcVerdict;
import org.postlet.auth.spf.SpfVerdict;

/**
 * The verdicts of SPF, DKIM and DMARC for one message, and their RFC 8601 {@code Authentication-Results:} header.
 *
 * @param spf   SPF for the MAIL FROM identity (the HELO name's when MAIL FROM is {@code <>})
 * @param dkim  one verdict per signature (a single none when unsigned)
 * @param dmarc DMARC for the From domain
 */
public record AuthenticationVerdicts(SpfVerdict spf, List<DkimVerdict> dkim, DmarcVerdict dmarc) {

    public AuthenticationVerdicts {
        dkim = List.copyOf(dkim);
    }

    /** The best DKIM result: pass if any signature passed, otherwise the first signature's. */
    public DkimResult dkimResult() {
        return dkim.stream().map(DkimVerdict::result).filter(r -> r == DkimResult.PASS).findFirst()
                .orElse(dkim.isEmpty() ? DkimResult.NONE : dkim.get(0).result());
    }

    /** The whole {@code Authentication-Results:} field, folded, without the final CRLF. */
    public String header(String authservId) {
        StringBuilder h = new StringBuilder("Authentication-Results: ").append(authservId).append(";\r\n\tspf=")
                .append(spf.result().text()).append(" smtp.mailfrom=").append(value(spf.identity()));
        for (DkimVerdict d : dkim) {
            h.append(";\r\n\tdkim=").append(d.result().text());
            if (d.result() != DkimResult.PASS && !d.reason().isEmpty()) {
                h.append(" (").append(comment(d.reason())).append(')');
            }
            if (!d.domain().isEmpty()) {
                h.append(" header.d=").append(value(d.domain())).append(" header.s=").append(value(d.selector()));
            }
            if (!d.signature().isEmpty()) {
                h.append(" header.b=").append(value(d.signature()));
            }
        }
        h.append(";\r\n\tdmarc=").append(dmarc.result().text());
        dmarc.policy().ifPresent(p -> h.append(" (p=").append(p.text()).append(" dis=").append(dmarc.disposition().text()).append(')'));
        if (!dmarc.fromDomain().isEmpty()) {
            h.append(" header.from=").append(value(dmarc.fromDomain()));
        }
        return h.toString();
    }

    /** A property value: a token as is, anything else quoted (RFC 8601 section 2.2, RFC 2045 value). */
    private static String value(String v) {
        if (!v.isEmpty() && v.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?=".indexOf(c) < 0)) {
            return v;
        }
        if (v.matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")) {
            return v; // a mailbox, which RFC 8601 allows unquoted
        }
        return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String comment(String text) {
        return text.replaceAll("[()\\\\\r\n]", " ").toLowerCase(Locale.ROOT).strip();
    }
}
