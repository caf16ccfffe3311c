package org.postlet.smtp.command;

import java.util.Optional;

/**
 * The SMTP commands this server knows: RFC 5321 §4.1.1, STARTTLS (RFC 3207), AUTH (RFC 4954) and
 * BDAT (RFC 3030). Verbs are case-insensitive.
 */
public enum Verb {
    HELO, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY, HELP, STARTTLS, AUTH, BDAT;

    /** The verb named by {@code word}, ignoring case; empty for an unknown word. */
    public static Optional<Verb> of(String word) {
        // Verbs are ASCII; a word with other characters is simply unknown.
        String upper = AsciiCase.upper(word);
        for (Verb verb : values()) {
            if (verb.name().equals(upper)) {
                return Optional.of(verb);
            }
        }
        return Optional.empty();
    }
}
