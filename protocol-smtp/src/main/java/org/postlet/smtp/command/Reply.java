package org.postlet.smtp.command;

import java.util.List;

/**
 * An SMTP reply (RFC 5321 §4.2): a code, an enhanced status code (RFC 3463) and one or more lines
 * of text. More than one line is sent as a multi-line reply with {@code code-} on every line but
 * the last.
 *
 * @param code         the three-digit reply code
 * @param enhancedCode e.g. {@code 2.1.0}; empty for the replies RFC 2034 exempts (the greeting,
 *                     HELO and EHLO)
 * @param lines        the text, one entry per line, at least one
 */
public record Reply(int code, String enhancedCode, List<String> lines) {

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("not an SMTP reply code: " + code);
        }
        if (enhancedCode == null) {
            throw new IllegalArgumentException("enhancedCode must not be null; use \"\"");
        }
        if (!enhancedCode.isEmpty() && enhancedCode.charAt(0) - '0' != code / 100) {
            throw new IllegalArgumentException("enhanced code " + enhancedCode + " does not match " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least one line");
        }
        for (String line : lines) {
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("reply text must not contain line breaks: " + line);
            }
        }
    }

    /** A one-line reply with an enhanced status code. */
    public static Reply of(int code, String enhancedCode, String text) {
        return new Reply(code, enhancedCode, List.of(text));
    }

    /** A one-line reply without enhanced status code (greeting, HELO). */
    public static Reply plain(int code, String text) {
        return new Reply(code, "", List.of(text));
    }

    /** Whether this is a 4xx or 5xx reply. */
    public boolean isError() {
        return code >= 400;
    }

    /** The reply as sent on the wire, each line ending with CRLF. */
    public String encode() {
        StringBuilder wire = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            wire.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (!enhancedCode.isEmpty()) {
                wire.append(enhancedCode).append(' ');
            }
            wire.append(lines.get(i)).append("\r\n");
        }
        return wire.toString();
    }

    @Override
    public String toString() {
        return encode().strip();
    }
}
