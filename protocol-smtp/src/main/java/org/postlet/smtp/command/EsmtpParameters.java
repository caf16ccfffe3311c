package org.postlet.smtp.command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks the ESMTP parameters of {@code MAIL} and {@code RCPT} against the extensions this server
 * offers, and normalises their values. Parameters of extensions the server does not offer are
 * refused with 555 5.5.4 (RFC 5321 §4.1.1.11). The DSN parameters (RFC 3461) are checked against
 * their syntax and kept in the envelope, for the delivery that later sends them on or reports:
 * {@code RET=FULL|HDRS}, {@code ENVID=xtext} (at most 100 characters), {@code NOTIFY=NEVER} or a
 * list of {@code SUCCESS}, {@code FAILURE}, {@code DELAY}, {@code ORCPT=addr-type;xtext} (at most
 * 500 characters; {@code utf-8} addresses may hold UTF-8, RFC 6533).
 */
public final class EsmtpParameters {

    /** SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), RET and ENVID (RFC 3461). */
    private static final Set<String> MAIL_KEYWORDS = Set.of("SIZE", "BODY", "SMTPUTF8", "RET", "ENVID");
    /** NOTIFY and ORCPT (RFC 3461). */
    private static final Set<String> RCPT_KEYWORDS = Set.of("NOTIFY", "ORCPT");
    private static final Set<String> BODY_TYPES = Set.of("7BIT", "8BITMIME");
    private static final Set<String> RET_VALUES = Set.of("FULL", "HDRS");
    private static final Set<String> NOTIFY_EVENTS = Set.of("SUCCESS", "FAILURE", "DELAY");
    /** Enough digits for any size a client could mean; longer is a syntax error, not an overflow. */
    private static final int MAX_SIZE_DIGITS = 18;
    /** RFC 3461 §4.4 and §4.2. */
    private static final int MAX_ENVID = 100;
    private static final int MAX_ORCPT = 500;

    private EsmtpParameters() {
    }

    /**
     * Checks the parameters of {@code MAIL FROM}.
     *
     * @param maxMessageSize the server's limit, for {@code SIZE}
     * @return the parameters with normalised values
     * @throws CommandException 555 5.5.4 for an unknown parameter, 501 5.5.4 for a bad value,
     *                          552 5.3.4 when the declared size exceeds the limit
     */
    public static Map<String, String> checkMail(Map<String, String> parameters, long maxMessageSize)
            throws CommandException {
        Map<String, String> checked = new LinkedHashMap<>();
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            String keyword = parameter.getKey();
            String value = parameter.getValue();
            if (!MAIL_KEYWORDS.contains(keyword)) {
                throw unsupported(keyword);
            }
            switch (keyword) {
                case "SIZE" -> checkSize(value, maxMessageSize);
                case "BODY" -> value = oneOf(keyword, value, BODY_TYPES);
                case "SMTPUTF8" -> requireNoValue(keyword, value);
                case "RET" -> value = oneOf(keyword, value, RET_VALUES);
                case "ENVID" -> requireXtext(keyword, value, MAX_ENVID);
                default -> throw new IllegalStateException("unhandled MAIL parameter " + keyword);
            }
            checked.put(keyword, value);
        }
        return checked;
    }

    /**
     * Checks the parameters of {@code RCPT TO}.
     *
     * @return the parameters with normalised values
     * @throws CommandException 555 5.5.4 for an unknown parameter, 501 5.5.4 for a bad value
     */
    public static Map<String, String> checkRcpt(Map<String, String> parameters) throws CommandException {
        Map<String, String> checked = new LinkedHashMap<>();
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            String keyword = parameter.getKey();
            String value = parameter.getValue();
            if (!RCPT_KEYWORDS.contains(keyword)) {
                throw unsupported(keyword);
            }
            if (keyword.equals("NOTIFY")) {
                value = checkNotify(value);
            } else {
                checkOriginalRecipient(value);
            }
            checked.put(keyword, value);
        }
        return checked;
    }

    private static void checkSize(String value, long maxMessageSize) throws CommandException {
        if (value.isEmpty() || value.length() > MAX_SIZE_DIGITS || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw badValue("SIZE");
        }
        if (Long.parseLong(value) > maxMessageSize) {
            throw new CommandException(Reply.of(552, "5.3.4", "Message size exceeds fixed maximum message size"));
        }
    }

    /** NEVER alone, or SUCCESS, FAILURE and DELAY in any order, each at most once (RFC 3461 §4.1). */
    private static String checkNotify(String value) throws CommandException {
        String upper = AsciiCase.upper(value);
        if (upper.equals("NEVER")) {
            return upper;
        }
        Set<String> seen = new java.util.HashSet<>();
        for (String event : upper.split(",", -1)) {
            if (!NOTIFY_EVENTS.contains(event) || !seen.add(event)) {
                throw badValue("NOTIFY");
            }
        }
        return upper;
    }

    /** addr-type ";" xtext (RFC 3461 §4.2), the type an atom such as rfc822 or utf-8. */
    private static void checkOriginalRecipient(String value) throws CommandException {
        int semicolon = value.indexOf(';');
        if (semicolon <= 0 || value.length() > MAX_ORCPT) {
            throw badValue("ORCPT");
        }
        String type = value.substring(0, semicolon);
        if (!type.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0))) {
            throw badValue("ORCPT");
        }
        boolean utf8 = type.equalsIgnoreCase("utf-8");
        if (!isXtext(value.substring(semicolon + 1), utf8)) {
            throw badValue("ORCPT");
        }
    }

    private static void requireXtext(String keyword, String value, int maxLength) throws CommandException {
        if (value.isEmpty() || value.length() > maxLength || !isXtext(value, false)) {
            throw badValue(keyword);
        }
    }

    /**
     * xtext (RFC 3461 §4): printable ASCII except {@code +} and {@code =}, and {@code +} followed by
     * two upper-case hex digits; with {@code utf8} (RFC 6533 utf-8-addr-xtext) UTF-8 characters too.
     */
    private static boolean isXtext(String text, boolean utf8) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                if (i + 2 >= text.length() || !isUpperHex(text.charAt(i + 1)) || !isUpperHex(text.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c == '=' || c < '!' || c == 127 || (c > 127 && (!utf8 || Character.isISOControl(c)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUpperHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    private static String oneOf(String keyword, String value, Set<String> allowed) throws CommandException {
        String upper = AsciiCase.upper(value);
        if (!allowed.contains(upper)) {
            throw badValue(keyword);
        }
        return upper;
    }

    private static void requireNoValue(String keyword, String value) throws CommandException {
        if (!value.isEmpty()) {
            throw badValue(keyword);
        }
    }

    private static CommandException unsupported(String keyword) {
        return new CommandException(Reply.of(555, "5.5.4", "Unsupported option: " + keyword));
    }

    private static CommandException badValue(String keyword) {
        return new CommandException(Reply.of(501, "5.5.4", "Bad " + keyword + " parameter value"));
    }
}
