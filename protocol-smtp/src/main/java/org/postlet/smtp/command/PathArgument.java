package org.postlet.smtp.command;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;

/**
 * The argument of {@code MAIL FROM:} or {@code RCPT TO:}: a path and ESMTP parameters
 * (RFC 5321 §4.1.2, §4.1.1.11).
 *
 * <p>Accepted forms: {@code FROM:<a@b>}, {@code FROM: <a@b>} (a space after the colon, as many
 * clients send) and the bare {@code FROM:a@b} people type by hand. Parameters follow the path,
 * separated by spaces, as {@code KEYWORD} or {@code KEYWORD=value}. Their meaning is checked by
 * {@link EsmtpParameters}, not here.
 *
 * <p>{@code RCPT TO:<postmaster>} without a domain (any case) must be accepted (RFC 5321 §4.5.1);
 * it is parsed with an empty address and {@code postmaster} set, and the session decides which
 * address it stands for.
 *
 * @param address    the address; empty for the null sender {@code <>} and for a bare {@code <postmaster>}
 * @param parameters the ESMTP parameters, upper-case keywords in the order given; a keyword
 *                   without value maps to ""
 * @param postmaster whether the recipient was the bare {@code <postmaster>}
 */
public record PathArgument(Optional<MailAddress> address, Map<String, String> parameters, boolean postmaster) {

    /** Splits ESMTP parameters; compiled once, as String.split(" +") would compile it per command. */
    private static final Pattern SPACES = Pattern.compile(" +");

    /** A path that is not the bare postmaster. */
    public PathArgument(Optional<MailAddress> address, Map<String, String> parameters) {
        this(address, parameters, false);
    }

    /** Which command's path is parsed; decides the keyword and the replies. */
    public enum Kind {
        SENDER("MAIL", "FROM", "5.1.7", "sender"),
        RECIPIENT("RCPT", "TO", "5.1.3", "recipient");

        private final String verb;
        private final String keyword;
        private final String badAddressCode;
        private final String role;

        Kind(String verb, String keyword, String badAddressCode, String role) {
            this.verb = verb;
            this.keyword = keyword;
            this.badAddressCode = badAddressCode;
            this.role = role;
        }
    }

    public PathArgument {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Parses the text after {@code MAIL} or {@code RCPT}.
     *
     * @throws CommandException 501 5.5.4 for bad syntax, 501 5.1.7 for a bad sender and
     *                          501 5.1.3 for a bad recipient address
     */
    public static PathArgument parse(String argument, Kind kind) throws CommandException {
        String prefix = kind.keyword + ":";
        if (!argument.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw syntax(kind);
        }
        String rest = argument.substring(prefix.length()).stripLeading();
        String path;
        String parameterText;
        if (rest.startsWith("<")) {
            int close = closingBracket(rest);
            if (close < 0) {
                throw badAddress(kind, "'<' without a closing '>'");
            }
            path = rest.substring(0, close + 1);
            parameterText = rest.substring(close + 1);
            if (!parameterText.isEmpty() && parameterText.charAt(0) != ' ') {
                throw syntax(kind);
            }
        } else {
            int space = rest.indexOf(' ');
            path = space < 0 ? rest : rest.substring(0, space);
            parameterText = space < 0 ? "" : rest.substring(space);
        }
        if (path.isEmpty()) {
            throw syntax(kind);
        }
        Optional<MailAddress> address;
        if (kind == Kind.RECIPIENT && (path.equalsIgnoreCase("<postmaster>") || path.equalsIgnoreCase("postmaster"))) {
            return new PathArgument(Optional.empty(), parseParameters(parameterText), true);
        }
        if (path.equals("<>")) {
            if (kind == Kind.RECIPIENT) {
                throw badAddress(kind, "empty address");
            }
            address = Optional.empty();
        } else {
            try {
                address = Optional.of(MailAddress.parse(path));
            } catch (InvalidAddressException e) {
                throw badAddress(kind, e.getMessage());
            }
        }
        return new PathArgument(address, parseParameters(parameterText));
    }

    private static Map<String, String> parseParameters(String text) throws CommandException {
        Map<String, String> parameters = new LinkedHashMap<>();
        String items = text.strip();
        if (items.isEmpty()) {
            return parameters; // the usual MAIL or RCPT: no parameters, no split
        }
        for (String item : SPACES.split(items)) {
            if (item.isEmpty()) {
                continue;
            }
            int equals = item.indexOf('=');
            String keyword = AsciiCase.upper(equals < 0 ? item : item.substring(0, equals));
            String value = equals < 0 ? "" : item.substring(equals + 1);
            if (!isKeyword(keyword) || (equals >= 0 && !isValue(value))) {
                throw new CommandException(Reply.of(501, "5.5.4", "Bad parameter syntax: " + printable(item)));
            }
            if (parameters.putIfAbsent(keyword, value) != null) {
                throw new CommandException(Reply.of(501, "5.5.4", "Duplicate parameter: " + keyword));
            }
        }
        return parameters;
    }

    /** RFC 5321 esmtp-keyword: (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
    private static boolean isKeyword(String keyword) {
        if (keyword.isEmpty()) {
            return false;
        }
        for (int i = 0; i < keyword.length(); i++) {
            char c = keyword.charAt(i);
            boolean alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || c != '-')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5321 esmtp-value: %d33-60 / %d62-126, plus UTF-8 (RFC 6531). */
    private static boolean isValue(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '=' || c <= 32 || c == 127 || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    /** The index of the '>' that closes the path, skipping quoted strings; -1 if none. */
    private static int closingBracket(String text) {
        boolean quoted = false;
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static CommandException syntax(Kind kind) {
        return new CommandException(Reply.of(501, "5.5.4", "Syntax: " + kind.verb + " " + kind.keyword + ":<address>"));
    }

    private static CommandException badAddress(Kind kind, String why) {
        return new CommandException(Reply.of(501, kind.badAddressCode,
                "Bad " + kind.role + " address syntax: " + printable(why)));
    }

    /** Keeps control characters out of replies. */
    private static String printable(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> b.append(Character.isISOControl(c) ? "?" : Character.toString(c)));
        return b.toString();
    }
}
