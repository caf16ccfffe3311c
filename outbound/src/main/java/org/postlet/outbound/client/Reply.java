package org.postlet.outbound.client;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reply of the remote server: its code and text lines (RFC 5321 §4.2).
 *
 * @param code  the three-digit reply code
 * @param lines the text of each line, without the code
 */
public record Reply(int code, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

    public Reply {
        lines = List.copyOf(lines);
    }

    /** 2xx and 3xx. */
    public boolean positive() {
        return code < 400;
    }

    /** 4xx: try again later. */
    public boolean transientFailure() {
        return code >= 400 && code < 500;
    }

    /** 5xx: do not try again. */
    public boolean permanentFailure() {
        return code >= 500;
    }

    /** The RFC 3463 status at the start of the first line ({@code 5.1.1}), if the server gave one. */
    public Optional<String> enhancedStatus() {
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = ENHANCED.matcher(lines.get(0));
        return m.find() && m.group(1).charAt(0) == Integer.toString(code).charAt(0)
                ? Optional.of(m.group()) : Optional.empty();
    }

    /** The reply on one line: {@code 550 5.1.1 no such user}. */
    @Override
    public String toString() {
        return code + " " + String.join(" ", lines).strip();
    }
}
