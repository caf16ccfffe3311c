package org.postlet.mailet;

import java.util.Locale;

/**
 * An e-mail address as it appears in an SMTP path (RFC 5321 §4.1.2): a local part and a domain.
 *
 * <p>The local part keeps its case (RFC 5321 says only the receiving host may interpret it) and is
 * stored unquoted; the domain is lower-cased. Quoted local parts, address literals such as
 * {@code [192.0.2.1]} and UTF-8 characters (RFC 6531, SMTPUTF8) are accepted. Control characters
 * are never accepted anywhere, so an address can always be written into a header or a log line.
 *
 * @param localPart the local part, unquoted (for {@code "john doe"@example.test}: {@code john doe})
 * @param domain    the domain or address literal, lower-cased
 */
public record MailAddress(String localPart, String domain) {

    /** RFC 5321 §4.5.3.1.1 and §4.5.3.1.2. */
    private static final int MAX_LOCAL_PART = 64;
    private static final int MAX_DOMAIN = 255;

    /**
     * Validates both parts and lower-cases the domain.
     *
     * @throws InvalidAddressException if a part is empty, too long or contains a character that
     *                                 no address may contain
     */
    public MailAddress {
        if (localPart == null || localPart.isEmpty()) {
            throw new InvalidAddressException("the local part is empty");
        }
        if (localPart.length() > MAX_LOCAL_PART) {
            throw new InvalidAddressException("the local part is longer than " + MAX_LOCAL_PART + " characters");
        }
        if (domain == null || domain.isEmpty()) {
            throw new InvalidAddressException("the domain is empty");
        }
        if (domain.length() > MAX_DOMAIN) {
            throw new InvalidAddressException("the domain is longer than " + MAX_DOMAIN + " characters");
        }
        for (int i = 0; i < localPart.length(); i++) {
            // C1 controls too (U+0080-U+009F): NEL would break a log line or header as well as CR does.
            if (Character.isISOControl(localPart.charAt(i))) {
                throw new InvalidAddressException("the local part contains a control character");
            }
        }
        domain = domain.toLowerCase(Locale.ROOT);
        checkDomain(domain);
    }

    /**
     * Parses an address with or without angle brackets: {@code <alice@example.test>},
     * {@code alice@example.test}, {@code "john doe"@example.test}. A source route
     * ({@code <@relay:alice@example.test>}, RFC 5321 §4.1.2) is accepted and ignored.
     *
     * @param text the address
     * @return the parsed address
     * @throws InvalidAddressException with a message saying what is wrong
     */
    public static MailAddress parse(String text) {
        if (text == null) {
            throw new InvalidAddressException("no address given");
        }
        String s = text.strip();
        if (s.startsWith("<")) {
            if (!s.endsWith(">")) {
                throw new InvalidAddressException("'<' without a closing '>'");
            }
            s = s.substring(1, s.length() - 1);
        }
        if (s.startsWith("@")) {
            int colon = s.indexOf(':');
            if (colon < 0) {
                throw new InvalidAddressException("a source route without ':'");
            }
            s = s.substring(colon + 1);
        }
        if (s.isEmpty()) {
            throw new InvalidAddressException("empty address");
        }
        String local;
        int rest;
        if (s.charAt(0) == '"') {
            StringBuilder unquoted = new StringBuilder();
            int i = 1;
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i);
                if (c == '\\') {
                    i++;
                    if (i == s.length()) {
                        break;
                    }
                    c = s.charAt(i);
                }
                unquoted.append(c);
                i++;
            }
            if (i >= s.length()) {
                throw new InvalidAddressException("unterminated quoted local part");
            }
            local = unquoted.toString();
            rest = i + 1;
            if (rest >= s.length() || s.charAt(rest) != '@') {
                throw new InvalidAddressException("missing '@' after the quoted local part");
            }
        } else {
            rest = s.lastIndexOf('@');
            if (rest < 0) {
                throw new InvalidAddressException("missing '@domain'");
            }
            local = s.substring(0, rest);
            checkDotAtom(local);
        }
        return new MailAddress(local, s.substring(rest + 1));
    }

    /** The address as written in an SMTP path and in headers, quoting the local part if needed. */
    @Override
    public String toString() {
        return (needsQuoting(localPart) ? quote(localPart) : localPart) + "@" + domain;
    }

    /** The address in angle brackets, as in {@code MAIL FROM:} or {@code Return-Path:}. */
    public String toPath() {
        return "<" + this + ">";
    }

    private static void checkDotAtom(String local) {
        if (local.isEmpty()) {
            throw new InvalidAddressException("the local part is empty");
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw new InvalidAddressException("the local part has a misplaced '.'; quote it if it is meant");
        }
        for (int i = 0; i < local.length(); i++) {
            if (!isAtext(local.charAt(i)) && local.charAt(i) != '.') {
                throw new InvalidAddressException(
                        "the local part contains '" + printable(local.charAt(i)) + "'; quote it if it is meant");
            }
        }
    }

    private static void checkDomain(String domain) {
        if (domain.startsWith("[")) {
            if (!domain.endsWith("]") || domain.length() < 3) {
                throw new InvalidAddressException("malformed address literal " + domain);
            }
            for (int i = 1; i < domain.length() - 1; i++) {
                char c = domain.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '.' || c == ':' || c == '-')) {
                    throw new InvalidAddressException("malformed address literal " + domain);
                }
            }
            return;
        }
        if (domain.startsWith(".") || domain.endsWith(".") || domain.contains("..")) {
            throw new InvalidAddressException("the domain has a misplaced '.'");
        }
        for (String label : domain.split("\\.")) {
            if (label.length() > 63) {
                throw new InvalidAddressException("a domain label is longer than 63 characters");
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new InvalidAddressException("a domain label starts or ends with '-'");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ascii = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                // UTF-8 domains (RFC 6531) are letters and digits beyond ASCII.
                boolean international = c >= 0x80 && (Character.isLetterOrDigit(c) || Character.getType(c) == Character.NON_SPACING_MARK);
                if (!ascii && !international) {
                    throw new InvalidAddressException("the domain contains '" + printable(c) + "'");
                }
            }
        }
    }

    /** RFC 5322 atext, extended with every non-ASCII character for SMTPUTF8 (RFC 6531 §3.3). */
    private static boolean isAtext(char c) {
        if (c >= 0x80) {
            return !Character.isISOControl(c) && !Character.isWhitespace(c);
        }
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    private static boolean needsQuoting(String local) {
        try {
            checkDotAtom(local);
            return false;
        } catch (InvalidAddressException e) {
            return true;
        }
    }

    private static String quote(String local) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('"').toString();
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c);
    }
}
