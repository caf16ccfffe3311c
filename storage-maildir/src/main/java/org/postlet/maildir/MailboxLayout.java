package org.postlet.maildir;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A mailbox path template with Dovecot's variables, such as {@code %d/%n}: {@code %d} the domain,
 * {@code %n} the local part, {@code %u} the full address {@code local@domain}, {@code %%} a literal
 * {@code %}. Parsed once so that expanding it per recipient is only string concatenation.
 *
 * <p>The template is relative to the Maildir root; {@code /} separates directories. Absolute
 * templates, {@code ~}, {@code .} and {@code ..} segments, empty segments, backslashes and control
 * characters are refused, and so is a template without any variable (all users would share one
 * mailbox).
 */
final class MailboxLayout {

    static final String VARIABLES = "%d (domain), %n (local part), %u (full address local@domain), %% (a literal %)";

    private final String text;
    /** Each directory level: a list of literal strings and {@link Variable}s. */
    private final List<List<Object>> segments;

    private enum Variable { DOMAIN, LOCAL_PART, ADDRESS }

    private MailboxLayout(String text, List<List<Object>> segments) {
        this.text = text;
        this.segments = segments;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong with the template and what is allowed
     */
    static MailboxLayout parse(String layout) {
        Objects.requireNonNull(layout, "layout");
        String where = "maildir layout \"" + layout + "\": ";
        if (layout.isEmpty()) {
            throw new IllegalArgumentException(where + "empty; use for example \"%d/%n\" with " + VARIABLES);
        }
        if (layout.startsWith("/")) {
            throw new IllegalArgumentException(where + "must be relative to the maildir root; remove the leading '/'");
        }
        if (layout.startsWith("~")) {
            throw new IllegalArgumentException(where + "home directories ('~') are not supported;"
                    + " give a path relative to the maildir root such as \"%d/%n\"");
        }
        for (int i = 0; i < layout.length(); i++) {
            char c = layout.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(where + "contains a control character at position " + (i + 1));
            }
            if (c == '\\') {
                throw new IllegalArgumentException(where + "contains '\\'; separate directories with '/'");
            }
            if (c == ':' && i == 1 && Character.isLetter(layout.charAt(0))) {
                throw new IllegalArgumentException(where + "must be relative to the maildir root; remove the drive letter");
            }
        }
        List<List<Object>> segments = new ArrayList<>();
        boolean anyVariable = false;
        for (String segment : layout.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException(where + "has an empty directory level ('//' or a trailing '/')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(where + "'" + segment + "' is not allowed; the layout must stay inside the maildir root");
            }
            List<Object> tokens = new ArrayList<>();
            StringBuilder literal = new StringBuilder();
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (c != '%') {
                    literal.append(c);
                    continue;
                }
                if (i + 1 == segment.length()) {
                    throw new IllegalArgumentException(where + "ends a directory level with a lone '%'; use %% for a literal %");
                }
                char v = segment.charAt(++i);
                Variable variable = switch (v) {
                    case 'd' -> Variable.DOMAIN;
                    case 'n' -> Variable.LOCAL_PART;
                    case 'u' -> Variable.ADDRESS;
                    case '%' -> null;
                    default -> throw new IllegalArgumentException(where + "unknown variable %" + v
                            + (v == 'L' ? " (addresses are always lower-cased, so %L is not needed)" : "")
                            + "; the variables are " + VARIABLES);
                };
                if (variable == null) {
                    literal.append('%');
                    continue;
                }
                if (!literal.isEmpty()) {
                    tokens.add(literal.toString());
                    literal.setLength(0);
                }
                tokens.add(variable);
                anyVariable = true;
            }
            if (!literal.isEmpty()) {
                tokens.add(literal.toString());
            }
            segments.add(List.copyOf(tokens));
        }
        if (!anyVariable) {
            throw new IllegalArgumentException(where + "has no variable, so every user would share one mailbox; use "
                    + VARIABLES);
        }
        return new MailboxLayout(layout, List.copyOf(segments));
    }

    /**
     * The directory levels for one mailbox, relative to the root. The caller has already checked
     * that both parts are safe as (part of) a file name.
     */
    List<String> expand(String localPart, String domain) {
        List<String> result = new ArrayList<>(segments.size());
        StringBuilder b = new StringBuilder();
        for (List<Object> segment : segments) {
            b.setLength(0);
            for (Object token : segment) {
                if (token instanceof Variable variable) {
                    switch (variable) {
                        case DOMAIN -> b.append(domain);
                        case LOCAL_PART -> b.append(localPart);
                        case ADDRESS -> b.append(localPart).append('@').append(domain);
                    }
                } else {
                    b.append((String) token);
                }
            }
            result.add(b.toString());
        }
        return result;
    }

    @Override
    public String toString() {
        return text;
    }
}
