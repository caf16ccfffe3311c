package org.postlet.auth.dkim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A tag list ({@code v=1; a=rsa-sha256; ...}) of a signature or a key record (RFC 6376 section 3.2).
 *
 * @param tags the tags by name, values with their white space removed at both ends
 */
record DkimTags(Map<String, String> tags) {

    /** Parses a tag list; a malformed one or a duplicate tag is an error the caller reports. */
    static DkimTags parse(String text) throws DkimSyntaxException {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : text.replace("\r\n", "").split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new DkimSyntaxException("tag '" + part.strip() + "' has no '='");
            }
            String name = part.substring(0, eq).strip();
            if (tags.put(name, part.substring(eq + 1).strip()) != null) {
                throw new DkimSyntaxException("tag " + name + "= appears twice");
            }
        }
        return new DkimTags(tags);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    String required(String name) throws DkimSyntaxException {
        String v = tags.get(name);
        if (v == null) {
            throw new DkimSyntaxException("the " + name + "= tag is missing");
        }
        return v;
    }

    /** A base64 value with its folding white space removed. */
    static String compact(String value) {
        return value.replaceAll("[ \t\r\n]", "");
    }

    /** A tag list that cannot be read. */
    static final class DkimSyntaxException extends Exception {
        DkimSyntaxException(String message) {
            super(message);
        }
    }
}
