package org.postlet.mailets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;

/**
 * Parses the values of the standard components' parameters and conditions, so that a list, an
 * address or a regular expression is written the same way everywhere and a mistake is reported
 * with the same kind of message: what is wrong, then after a dash how to fix it.
 */
public final class Values {

    private Values() {
    }

    /** Splits a comma-separated list (YAML lists arrive joined with commas), dropping empty items. */
    public static List<String> list(String text) {
        List<String> out = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                out.add(item.strip());
            }
        }
        return out;
    }

    /**
     * A comma-separated list of addresses.
     *
     * @param what names the value in the message, e.g. {@code "RecipientIs"}
     * @throws MailetException if the list is empty or an item is not an address
     */
    public static List<MailAddress> addresses(String what, String text) throws MailetException {
        List<MailAddress> out = new ArrayList<>();
        for (String item : nonEmptyList(what, text, "alice@example.test, bob@example.test")) {
            out.add(address(what, item));
        }
        return out;
    }

    /** One address. @throws MailetException naming the value if it is not an address */
    public static MailAddress address(String what, String text) throws MailetException {
        try {
            return MailAddress.parse(text);
        } catch (InvalidAddressException e) {
            throw new MailetException(what + ": '" + text + "' is not an address (" + e.getMessage()
                    + ") — write user@domain");
        }
    }

    /** A non-empty comma-separated list. @throws MailetException if it is empty */
    public static List<String> nonEmptyList(String what, String text, String example) throws MailetException {
        List<String> items = list(text);
        if (items.isEmpty()) {
            throw new MailetException(what + " needs at least one value — write e.g. " + example);
        }
        return items;
    }

    /** A comma-separated list of domains, lower-cased. */
    public static List<String> domains(String what, String text) throws MailetException {
        List<String> out = new ArrayList<>();
        for (String d : nonEmptyList(what, text, "example.test, example.org")) {
            String domain = d.startsWith("@") ? d.substring(1) : d;
            if (domain.isEmpty() || domain.contains("@") || domain.chars().anyMatch(Character::isWhitespace)) {
                throw new MailetException(what + ": '" + d + "' is not a domain — write e.g. example.test");
            }
            out.add(domain.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    /** A regular expression (Java syntax). @throws MailetException quoting the syntax error */
    public static Pattern regex(String what, String text) throws MailetException {
        return regex(what, text, 0);
    }

    /** A regular expression with {@link Pattern} flags. */
    public static Pattern regex(String what, String text, int flags) throws MailetException {
        try {
            return Pattern.compile(text, flags);
        } catch (PatternSyntaxException e) {
            throw new MailetException(what + ": '" + text + "' is not a regular expression (" + e.getDescription()
                    + " at index " + e.getIndex() + ") — write a Java regular expression, e.g. ^.*@example\\.test$");
        }
    }

    /** A whole number of at least {@code min}. */
    public static int integer(String what, String text, int min) throws MailetException {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, with the fix
        }
        throw new MailetException(what + " is '" + text + "' — write a whole number of at least " + min);
    }

    /** A glob such as {@code *.exe} or {@code invoice-?.pdf} as a case-insensitive pattern. */
    public static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }
}
