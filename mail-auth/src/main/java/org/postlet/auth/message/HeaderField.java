package org.postlet.auth.message;

import java.util.Locale;

/**
 * One header field exactly as it stands in the message.
 *
 * @param name the field name as written
 * @param raw  the whole field: name, colon, value with its folding (CRLF kept), without the final CRLF;
 *             one char per byte (ISO-8859-1), so hashing it gives back the message's bytes
 */
public record HeaderField(String name, String raw) {

    /** The value after the colon, folding kept. */
    public String value() {
        return raw.substring(raw.indexOf(':') + 1);
    }

    /** The value unfolded and trimmed. */
    public String unfoldedValue() {
        return value().replace("\r\n", "").replace("\n", "").strip();
    }

    /** Whether the field has this name, ignoring case. */
    public boolean is(String otherName) {
        return name.equalsIgnoreCase(otherName);
    }

    /** The name in lower case, as relaxed canonicalization and DKIM's h= compare it. */
    public String lowerName() {
        return name.toLowerCase(Locale.ROOT);
    }
}
