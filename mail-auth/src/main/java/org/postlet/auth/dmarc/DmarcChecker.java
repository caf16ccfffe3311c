package org.postlet.auth.dmarc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.postlet.auth.dkim.DkimResult;
import org.postlet.auth.dkim.DkimVerdict;
import org.postlet.auth.dns.DnsLookup;
import org.postlet.auth.dns.DnsTemporaryException;
import org.postlet.auth.message.HeaderField;
import org.postlet.auth.message.RawMessage;
import org.postlet.auth.spf.SpfResult;
import org.postlet.auth.spf.SpfVerdict;

/**
 * DMARC (RFC 7489): finds the policy of the From domain (or of its organizational domain) and
 * decides whether SPF or DKIM passed for a domain aligned with it, relaxed or strict as the
 * policy says.
 */
public final class DmarcChecker {

    private final DnsLookup dns;
    private final RandomGenerator random;

    /**
     * @param random draws the sample of {@code pct=}
     */
    public DmarcChecker(DnsLookup dns, RandomGenerator random) {
        this.dns = dns;
        this.random = random;
    }

    /**
     * Checks a message given the results SPF (MAIL FROM identity) and DKIM already gave.
     */
    public DmarcVerdict check(RawMessage message, SpfVerdict spf, List<DkimVerdict> dkim) {
        List<HeaderField> from = message.all("From");
        if (from.size() != 1) {
            return new DmarcVerdict(DmarcResult.PERMERROR, "", Optional.empty(), DmarcPolicy.NONE,
                    from.isEmpty() ? "no From field" : "several From fields");
        }
        Optional<String> fromDomain = domainOf(from.get(0).unfoldedValue());
        if (fromDomain.isEmpty()) {
            return new DmarcVerdict(DmarcResult.PERMERROR, "", Optional.empty(), DmarcPolicy.NONE, "no domain in From");
        }
        String domain = fromDomain.get();
        Map<String, String> record;
        boolean atOrganization = false;
        try {
            record = record(domain);
            String organization = OrganizationalDomain.of(domain);
            if (record == null && !organization.equals(domain)) {
                record = record(organization);
                atOrganization = true;
            }
        } catch (DnsTemporaryException e) {
            return new DmarcVerdict(DmarcResult.TEMPERROR, domain, Optional.empty(), DmarcPolicy.NONE, e.getMessage());
        }
        if (record == null) {
            return new DmarcVerdict(DmarcResult.NONE, domain, Optional.empty(), DmarcPolicy.NONE, "no DMARC policy for " + domain);
        }
        DmarcPolicy p = DmarcPolicy.of(record.getOrDefault("p", ""));
        if (p == null) {
            // Section 6.6.3: an invalid p= with a report address is p=none; without one the record is ignored.
            if (!record.containsKey("rua")) {
                return new DmarcVerdict(DmarcResult.NONE, domain, Optional.empty(), DmarcPolicy.NONE, "invalid DMARC record for " + domain);
            }
            p = DmarcPolicy.NONE;
        }
        DmarcPolicy policy = p;
        if (atOrganization && record.containsKey("sp") && DmarcPolicy.of(record.get("sp")) != null) {
            policy = DmarcPolicy.of(record.get("sp"));
        }
        boolean strictSpf = "s".equalsIgnoreCase(record.getOrDefault("aspf", "r"));
        boolean strictDkim = "s".equalsIgnoreCase(record.getOrDefault("adkim", "r"));

        List<String> aligned = new ArrayList<>();
        if (spf.result() == SpfResult.PASS && OrganizationalDomain.aligned(spf.domain(), domain, strictSpf)) {
            aligned.add("spf " + spf.domain());
        }
        for (DkimVerdict d : dkim) {
            if (d.result() == DkimResult.PASS && OrganizationalDomain.aligned(d.domain(), domain, strictDkim)) {
                aligned.add("dkim " + d.domain());
            }
        }
        if (!aligned.isEmpty()) {
            return new DmarcVerdict(DmarcResult.PASS, domain, Optional.of(policy), DmarcPolicy.NONE,
                    "aligned: " + String.join(", ", aligned));
        }
        int pct = percent(record.get("pct"));
        DmarcPolicy disposition = pct >= 100 || random.nextInt(100) < pct ? policy : policy.milder();
        return new DmarcVerdict(DmarcResult.FAIL, domain, Optional.of(policy), disposition,
                "neither SPF (" + spf.result().text() + " for " + spf.domain() + ") nor DKIM passed aligned with " + domain
                        + (strictSpf || strictDkim ? " (strict alignment)" : ""));
    }

    private static int percent(String pct) {
        try {
            return pct == null ? 100 : Math.max(0, Math.min(100, Integer.parseInt(pct.strip())));
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    /** The DMARC record at {@code _dmarc.<domain>}; {@code null} when there is none or several. */
    private Map<String, String> record(String domain) throws DnsTemporaryException {
        List<String> records = dns.txt("_dmarc." + domain).stream()
                .filter(t -> t.strip().matches("(?i)v\\s*=\\s*DMARC1\\s*(;.*)?")).toList();
        if (records.size() != 1) {
            return null;
        }
        Map<String, String> tags = new HashMap<>();
        for (String part : records.get(0).split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                tags.putIfAbsent(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
            }
        }
        return tags;
    }

    /** The domain of the (first) address in a From value: {@code "Name" <a@b>} or {@code a@b}. */
    static Optional<String> domainOf(String from) {
        String address = from;
        int lt = from.lastIndexOf('<');
        int gt = from.lastIndexOf('>');
        if (lt >= 0 && gt > lt) {
            address = from.substring(lt + 1, gt);
        } else {
            address = address.replaceAll("\\([^)]*\\)", "").split(",")[0];
        }
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return Optional.empty();
        }
        String domain = address.substring(at + 1).strip().toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        return domain.matches("[a-z0-9_]([a-z0-9_.-]*[a-z0-9])?") ? Optional.of(domain) : Optional.empty();
    }
}
