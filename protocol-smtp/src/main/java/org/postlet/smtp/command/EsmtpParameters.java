package org.postlet.smtp.command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks the ESMTP parameters of {@code MAIL} and {@code RCPT} against the extensions this server
 * offers, and normalises their values. Parameters of extensions the server does not offer are
 * refused with 555 5.5.4 (RFC 5321 §4.1.1.11); the DSN parameters (RFC 3461) are kept so a later
 * DSN implementation finds them in the envelope.
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
                case "ENVID" -> requireValue(keyword, value);
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
            } else if (value.indexOf(';') <= 0) {
                // ORCPT=addr-type;xtext
                throw badValue(keyword);
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

    private static String checkNotify(String value) throws CommandException {
        String upper = AsciiCase.upper(value);
        if (upper.equals("NEVER")) {
            return upper;
        }
        for (String event : upper.split(",", -1)) {
            if (!NOTIFY_EVENTS.contains(event)) {
                throw badValue("NOTIFY");
            }
        }
        return upper;
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

    private static void requireValue(String keyword, String value) throws CommandException {
        if (value.isEmpty()) {
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
