package org.postlet.outbound.sts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A domain's MTA-STS policy (RFC 8461 §3.2): how strictly senders must use TLS and which MX hosts
 * they may use.
 *
 * @param mode   what a sender does when the policy is not met
 * @param mx     the allowed MX host patterns, lower-case: a name, or {@code *.example.net} for exactly
 *               one label more
 * @param maxAge how long the policy may be cached (at most a year, RFC 8461 §3.2)
 */
public record StsPolicy(Mode mode, List<String> mx, Duration maxAge) {

    /** The longest {@code max_age} RFC 8461 allows, 31557600 s; a longer one is cut to it. */
    public static final Duration MAX_AGE_LIMIT = Duration.ofSeconds(31_557_600);

    /** The policy modes. */
    public enum Mode {
        /** Only matching MX hosts, only over TLS with a valid certificate; otherwise mail waits. */
        ENFORCE,
        /** Deliver as without a policy, but report what would have failed. */
        TESTING,
        /** The domain withdrew its policy. */
        NONE
    }

    public StsPolicy {
        mx = List.copyOf(mx);
    }

    /**
     * Reads a policy body: {@code key: value} lines (CRLF or LF), {@code version: STSv1}, {@code mode},
     * {@code max_age}, {@code mx} lines (at least one unless the mode is {@code none}); unknown keys are
     * ignored, and of a repeated key other than {@code mx} the first counts.
     *
     * @throws MalformedPolicyException saying which field is wrong
     */
    public static StsPolicy parse(String text) throws MalformedPolicyException {
        String version = null;
        String mode = null;
        String maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String raw : text.split("\r?\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedPolicyException("the line '" + printable(line) + "' is not 'key: value'");
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "version" -> version = version == null ? value : version;
                case "mode" -> mode = mode == null ? value : mode;
                case "max_age" -> maxAge = maxAge == null ? value : maxAge;
                case "mx" -> mx.add(pattern(value));
                default -> {
                    // RFC 8461 §3.2: unknown fields are ignored, so the format can grow.
                }
            }
        }
        if (!"STSv1".equals(version)) {
            throw new MalformedPolicyException(version == null ? "it has no 'version: STSv1'"
                    : "its version is '" + printable(version) + "', not STSv1");
        }
        Mode m;
        switch (mode == null ? "" : mode) {
            case "enforce" -> m = Mode.ENFORCE;
            case "testing" -> m = Mode.TESTING;
            case "none" -> m = Mode.NONE;
            default -> throw new MalformedPolicyException(mode == null ? "it has no mode"
                    : "its mode is '" + printable(mode) + "', not enforce, testing or none");
        }
        if (maxAge == null || !maxAge.matches("[0-9]{1,10}")) {
            throw new MalformedPolicyException(maxAge == null ? "it has no max_age"
                    : "its max_age '" + printable(maxAge) + "' is not a number of seconds");
        }
        Duration age = Duration.ofSeconds(Long.parseLong(maxAge));
        if (age.compareTo(MAX_AGE_LIMIT) > 0) {
            age = MAX_AGE_LIMIT;
        }
        if (mx.isEmpty() && m != Mode.NONE) {
            throw new MalformedPolicyException("it has mode " + mode + " but no mx line");
        }
        return new StsPolicy(m, mx, age);
    }

    /** Whether {@code host} is one of the MX hosts the policy allows (RFC 8461 §4.1). */
    public boolean allows(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (String pattern : mx) {
            if (pattern.startsWith("*.")) {
                // The wildcard stands for exactly one left-most label.
                int dot = h.indexOf('.');
                if (dot > 0 && h.substring(dot + 1).equals(pattern.substring(2))) {
                    return true;
                }
            } else if (h.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    private static String pattern(String value) throws MalformedPolicyException {
        String p = value.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        String name = p.startsWith("*.") ? p.substring(2) : p;
        if (!name.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)+")) {
            throw new MalformedPolicyException("'mx: " + printable(value) + "' is not a host name or *.domain pattern");
        }
        return p;
    }

    private static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
