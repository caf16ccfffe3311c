package org.postlet.smtp.command;

import java.util.Optional;

/**
 * The SMTP commands this server knows: RFC 5321 §4.1.1, STARTTLS (RFC 3207), AUTH (RFC 4954) and
 * BDAT (RFC 3030). Verbs are case-insensitive.
 */
public enum Verb {
    HELO, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY, HELP, STARTTLS, AUTH, BDAT;

    /** {@link #values()} copies its array on every call; this one is never handed out. */
    private static final Verb[] VERBS = values();

    /** The verb named by {@code word}, ignoring case; empty for an unknown word. */
    public static Optional<Verb> of(String word) {
        // Verbs are ASCII; a word with other characters is simply unknown.
        // Compared in place against the constants (no upper-cased copy, no values() clone): this
        // runs for every command line.
        for (Verb verb : VERBS) {
            String name = verb.name();
            if (name.length() == word.length() && AsciiCase.equalsIgnoreCase(name, word)) {
                return Optional.of(verb);
            }
        }
        return Optional.empty();
    }
}
