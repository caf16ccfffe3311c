package org.postlet.auth.spf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postlet.auth.dns.DnsLookup;
import org.postlet.auth.dns.DnsTemporaryException;

/**
 * Evaluates SPF records (RFC 7208): {@code check_host()} for the MAIL FROM and HELO identities,
 * with every mechanism and modifier, macros, and the limits of section 4.6.4 (10 terms that query
 * DNS, 10 names per mx or ptr, 2 lookups that find nothing).
 */
public final class SpfChecker {

    private static final int MAX_DNS_TERMS = 10;
    private static final int MAX_VOID_LOOKUPS = 2;
    private static final Pattern CIDR = Pattern.compile("^(.*?)(?:/(\\d+))?(?://(\\d+))?$");
    private static final Pattern MODIFIER = Pattern.compile("^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$");
    private static final Pattern MACRO = Pattern.compile("%\\{([slodiphcrtvSLODIPHCRTV])(\\d*)(r?)([.\\-+,/_=]*)}|%%|%_|%-|%");

    private final DnsLookup dns;

    public SpfChecker(DnsLookup dns) {
        this.dns = dns;
    }

    /**
     * The MAIL FROM check: the sender's domain, or with the null sender the HELO name
     * (as {@code postmaster@<helo>}).
     *
     * @param client the SMTP client's address
     * @param sender the MAIL FROM address, empty for {@code <>}
     * @param helo   the HELO/EHLO name
     */
    public SpfVerdict checkMailFrom(InetAddress client, Optional<String> sender, String helo) {
        String identity = sender.filter(s -> s.contains("@")).orElse("postmaster@" + helo);
        return check(client, identity, helo);
    }

    /** The HELO check: {@code postmaster@<helo>}; an address literal gives none. */
    public SpfVerdict checkHelo(InetAddress client, String helo) {
        return check(client, "postmaster@" + helo, helo);
    }

    private SpfVerdict check(InetAddress client, String identity, String helo) {
        String domain = identity.substring(identity.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        if (!validDomain(domain)) {
            return new SpfVerdict(SpfResult.NONE, domain, identity, "'" + domain + "' is not a domain name");
        }
        Evaluation e = new Evaluation(unmapped(client), identity, helo);
        try {
            return new SpfVerdict(e.checkHost(domain), domain, identity, e.reason);
        } catch (Abort a) {
            return new SpfVerdict(a.result, domain, identity, a.getMessage());
        }
    }

    static boolean validDomain(String d) {
        return d.length() <= 253 && d.contains(".") && d.matches("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9])?")
                && !d.contains("..") && !d.matches("[0-9.]+");
    }

    /** An IPv4-mapped IPv6 address is checked as the IPv4 address it is. */
    private static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    /** Ends the evaluation with a temperror or permerror. */
    private static final class Abort extends Exception {
        private final SpfResult result;

        Abort(SpfResult result, String message) {
            super(message);
            this.result = result;
        }
    }

    /** One check_host() with the counters the limits apply to, shared by includes and redirects. */
    private final class Evaluation {
        private final InetAddress ip;
        private final String sender;
        private final String helo;
        private int dnsTerms;
        private int voidLookups;
        private String reason = "";

        Evaluation(InetAddress ip, String sender, String helo) {
            this.ip = ip;
            this.sender = sender;
            this.helo = helo;
        }

        SpfResult checkHost(String domain) throws Abort {
            List<String> records = new ArrayList<>();
            try {
                for (String txt : dns.txt(domain)) {
                    String lower = txt.toLowerCase(Locale.ROOT);
                    if (lower.equals("v=spf1") || lower.startsWith("v=spf1 ")) {
                        records.add(txt);
                    }
                }
            } catch (DnsTemporaryException e) {
                throw new Abort(SpfResult.TEMPERROR, e.getMessage());
            }
            if (records.isEmpty()) {
                reason = "no SPF record at " + domain;
                return SpfResult.NONE;
            }
            if (records.size() > 1) {
                throw new Abort(SpfResult.PERMERROR, "several SPF records at " + domain);
            }
            String[] terms = records.get(0).substring(6).strip().split("[ ]+");
            String redirect = null;
            boolean expSeen = false;
            List<String> directives = new ArrayList<>();
            for (String term : terms) {
                if (term.isEmpty()) {
                    continue;
                }
                Matcher modifier = MODIFIER.matcher(term);
                if (modifier.matches()) {
                    String name = modifier.group(1).toLowerCase(Locale.ROOT);
                    if (name.equals("redirect")) {
                        if (redirect != null) {
                            throw new Abort(SpfResult.PERMERROR, "two redirect= at " + domain);
                        }
                        redirect = modifier.group(2);
                    } else if (name.equals("exp")) {
                        if (expSeen) {
                            throw new Abort(SpfResult.PERMERROR, "two exp= at " + domain);
                        }
                        expSeen = true;
                    } // other modifiers are ignored (section 6)
                } else {
                    directives.add(term);
                }
            }
            for (String directive : directives) {
                SpfResult qualifier = switch (directive.charAt(0)) {
                    case '+' -> SpfResult.PASS;
                    case '-' -> SpfResult.FAIL;
                    case '~' -> SpfResult.SOFTFAIL;
                    case '?' -> SpfResult.NEUTRAL;
                    default -> null;
                };
                String mechanism = qualifier == null ? directive : directive.substring(1);
                if (matches(mechanism, domain)) {
                    reason = "mechanism " + directive + " of " + domain + " matched " + ip.getHostAddress();
                    return qualifier == null ? SpfResult.PASS : qualifier;
                }
            }
            if (redirect != null) {
                countDnsTerm();
                String target = expand(redirect, domain);
                if (!validDomain(target)) {
                    throw new Abort(SpfResult.PERMERROR, "redirect=" + target + " is not a domain");
                }
                SpfResult r = checkHost(target);
                if (r == SpfResult.NONE) {
                    throw new Abort(SpfResult.PERMERROR, "redirect=" + target + " has no SPF record");
                }
                return r;
            }
            reason = "no mechanism of " + domain + " matched " + ip.getHostAddress();
            return SpfResult.NEUTRAL;
        }

        private boolean matches(String mechanism, String domain) throws Abort {
            int colon = mechanism.indexOf(':');
            int slash = mechanism.indexOf('/');
            int nameEnd = colon >= 0 ? colon : slash >= 0 ? slash : mechanism.length();
            String name = mechanism.substring(0, nameEnd).toLowerCase(Locale.ROOT);
            String arg = colon >= 0 ? mechanism.substring(colon + 1) : null;
            switch (name) {
                case "all" -> {
                    if (mechanism.length() != 3) {
                        throw new Abort(SpfResult.PERMERROR, "'" + mechanism + "' is not a valid all");
                    }
                    return true;
                }
                case "include" -> {
                    countDnsTerm();
                    if (arg == null) {
                        throw new Abort(SpfResult.PERMERROR, "include without a domain at " + domain);
                    }
                    String target = target(arg, domain);
                    SpfResult r = checkHost(target);
                    return switch (r) {
                        case PASS -> true;
                        case FAIL, SOFTFAIL, NEUTRAL -> false;
                        case TEMPERROR -> throw new Abort(SpfResult.TEMPERROR, "include:" + target + " gave temperror");
                        case NONE, PERMERROR -> throw new Abort(SpfResult.PERMERROR, "include:" + target + " has no usable SPF record");
                    };
                }
                case "a", "mx" -> {
                    countDnsTerm();
                    Cidr c = cidr(colon >= 0 ? arg : mechanism.substring(nameEnd), colon >= 0);
                    String target = c.domain == null ? domain : target(c.domain, domain);
                    List<String> hosts = name.equals("a") ? List.of(target) : mxHosts(target);
                    for (String host : hosts) {
                        for (InetAddress a : addresses(host)) {
                            if (c.contains(ip, a)) {
                                return true;
                            }
                        }
                    }
                    return false;
                }
                case "ptr" -> {
                    countDnsTerm();
                    String target = arg == null ? domain : target(arg, domain);
                    return validatedPtrNames().stream().anyMatch(n -> n.equalsIgnoreCase(target) || n.toLowerCase(Locale.ROOT)
                            .endsWith("." + target.toLowerCase(Locale.ROOT)));
                }
                case "ip4", "ip6" -> {
                    if (arg == null) {
                        throw new Abort(SpfResult.PERMERROR, name + " without an address at " + domain);
                    }
                    Matcher m = CIDR.matcher(arg);
                    m.matches();
                    String addressText = m.group(1);
                    boolean v4 = name.equals("ip4");
                    if (v4 ? !addressText.matches("\\d{1,3}(\\.\\d{1,3}){3}") : !addressText.contains(":")) {
                        throw new Abort(SpfResult.PERMERROR, "'" + mechanism + "' has no valid address");
                    }
                    InetAddress network;
                    try {
                        network = InetAddress.getByName(addressText);
                    } catch (java.net.UnknownHostException e) {
                        throw new Abort(SpfResult.PERMERROR, "'" + mechanism + "' has no valid address");
                    }
                    int bits = m.group(2) == null ? (v4 ? 32 : 128) : Integer.parseInt(m.group(2));
                    if (m.group(3) != null || bits > (v4 ? 32 : 128)) {
                        throw new Abort(SpfResult.PERMERROR, "'" + mechanism + "' has an invalid prefix length");
                    }
                    return sameFamily(ip, network) && prefixMatches(ip, network, bits);
                }
                case "exists" -> {
                    countDnsTerm();
                    if (arg == null) {
                        throw new Abort(SpfResult.PERMERROR, "exists without a domain at " + domain);
                    }
                    String target = target(arg, domain);
                    try {
                        List<InetAddress> found = dns.addresses(target).stream().filter(a -> a instanceof Inet4Address).toList();
                        if (found.isEmpty()) {
                            countVoid();
                        }
                        return !found.isEmpty();
                    } catch (DnsTemporaryException e) {
                        throw new Abort(SpfResult.TEMPERROR, e.getMessage());
                    }
                }
                default -> throw new Abort(SpfResult.PERMERROR, "unknown mechanism '" + mechanism + "' at " + domain);
            }
        }

        private List<String> mxHosts(String target) throws Abort {
            try {
                List<String> hosts = dns.mx(target);
                if (hosts.isEmpty()) {
                    countVoid();
                }
                if (hosts.size() > 10) {
                    throw new Abort(SpfResult.PERMERROR, target + " has more than 10 MX records");
                }
                return hosts;
            } catch (DnsTemporaryException e) {
                throw new Abort(SpfResult.TEMPERROR, e.getMessage());
            }
        }

        private List<InetAddress> addresses(String host) throws Abort {
            try {
                List<InetAddress> found = dns.addresses(host);
                if (found.isEmpty()) {
                    countVoid();
                }
                return found;
            } catch (DnsTemporaryException e) {
                throw new Abort(SpfResult.TEMPERROR, e.getMessage());
            }
        }

        private List<String> validatedPtrNames() throws Abort {
            List<String> validated = new ArrayList<>();
            try {
                List<String> names = dns.ptr(ip);
                for (String n : names.subList(0, Math.min(10, names.size()))) {
                    if (dns.addresses(n).contains(ip)) {
                        validated.add(n);
                    }
                }
            } catch (DnsTemporaryException e) {
                return validated; // section 5.5: a DNS error here means no match
            }
            return validated;
        }

        private void countDnsTerm() throws Abort {
            if (++dnsTerms > MAX_DNS_TERMS) {
                throw new Abort(SpfResult.PERMERROR, "more than " + MAX_DNS_TERMS + " DNS lookups");
            }
        }

        private void countVoid() throws Abort {
            if (++voidLookups > MAX_VOID_LOOKUPS) {
                throw new Abort(SpfResult.PERMERROR, "more than " + MAX_VOID_LOOKUPS + " lookups found nothing");
            }
        }

        private String target(String spec, String domain) throws Abort {
            String t = expand(spec, domain);
            if (t.endsWith(".")) {
                t = t.substring(0, t.length() - 1);
            }
            if (!validDomain(t)) {
                throw new Abort(SpfResult.PERMERROR, "'" + t + "' is not a domain");
            }
            return t;
        }

        private Cidr cidr(String text, boolean withDomain) throws Abort {
            Matcher m = CIDR.matcher(text);
            if (!m.matches()) {
                throw new Abort(SpfResult.PERMERROR, "invalid prefix '" + text + "'");
            }
            int v4 = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
            int v6 = m.group(3) == null ? 128 : Integer.parseInt(m.group(3));
            if (v4 > 32 || v6 > 128 || !withDomain && !m.group(1).isEmpty()) {
                throw new Abort(SpfResult.PERMERROR, "invalid prefix '" + text + "'");
            }
            return new Cidr(withDomain ? m.group(1) : null, v4, v6);
        }

        /** Expands the macros of section 7 in a domain-spec (exp= explanations are not evaluated). */
        private String expand(String spec, String domain) throws Abort {
            Matcher m = MACRO.matcher(spec);
            StringBuilder out = new StringBuilder();
            int last = 0;
            while (m.find()) {
                out.append(spec, last, m.start());
                last = m.end();
                String token = m.group();
                switch (token) {
                    case "%%" -> out.append('%');
                    case "%_" -> out.append(' ');
                    case "%-" -> out.append("%20");
                    case "%" -> throw new Abort(SpfResult.PERMERROR, "invalid macro in '" + spec + "'");
                    default -> out.append(macro(m.group(1).toLowerCase(Locale.ROOT).charAt(0), m.group(2), !m.group(3).isEmpty(),
                            m.group(4), domain));
                }
            }
            return out.append(spec.substring(last)).toString();
        }

        private String macro(char letter, String digits, boolean reverse, String delimiters, String domain) throws Abort {
            String local = sender.substring(0, sender.lastIndexOf('@'));
            String value = switch (letter) {
                case 's' -> sender;
                case 'l' -> local.isEmpty() ? "postmaster" : local;
                case 'o' -> sender.substring(sender.lastIndexOf('@') + 1);
                case 'd' -> domain;
                case 'i' -> ip instanceof Inet4Address ? ip.getHostAddress() : nibbles(ip);
                case 'p' -> "unknown";
                case 'v' -> ip instanceof Inet4Address ? "in-addr" : "ip6";
                case 'h' -> helo;
                default -> throw new Abort(SpfResult.PERMERROR, "macro %{" + letter + "} is allowed in exp= only");
            };
            String split = delimiters.isEmpty() ? "." : delimiters;
            List<String> parts = new ArrayList<>(List.of(value.split("[" + Pattern.quote(split) + "]", -1)));
            if (reverse) {
                java.util.Collections.reverse(parts);
            }
            if (!digits.isEmpty()) {
                int keep = Integer.parseInt(digits);
                if (keep == 0) {
                    throw new Abort(SpfResult.PERMERROR, "macro with 0 parts");
                }
                parts = parts.subList(Math.max(0, parts.size() - keep), parts.size());
            }
            return String.join(".", parts);
        }
    }

    private static String nibbles(InetAddress a) {
        StringBuilder s = new StringBuilder();
        for (byte b : a.getAddress()) {
            s.append(Character.forDigit((b >> 4) & 0xf, 16)).append('.').append(Character.forDigit(b & 0xf, 16)).append('.');
        }
        return s.substring(0, s.length() - 1);
    }

    /** The domain-spec and prefix lengths of an a or mx mechanism. */
    private record Cidr(String domain, int v4, int v6) {
        boolean contains(InetAddress client, InetAddress found) {
            return sameFamily(client, found) && prefixMatches(client, found, client instanceof Inet4Address ? v4 : v6);
        }
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return (a instanceof Inet4Address) == (b instanceof Inet4Address);
    }

    private static boolean prefixMatches(InetAddress a, InetAddress b, int bits) {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((x[i / 8] & mask) != (y[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
