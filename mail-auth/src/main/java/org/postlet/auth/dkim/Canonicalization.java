package org.postlet.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import org.postlet.auth.message.HeaderField;

/** DKIM's two ways to make a header or body survive transport (RFC 6376 section 3.4). */
public enum Canonicalization {
    /** Bytes exactly as they are, but for empty lines at the end of the body. */
    SIMPLE,
    /** Case of field names, folding and runs of white space do not matter. */
    RELAXED;

    /** The name in a {@code c=} tag. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@code c=} half; {@code null} when unknown. */
    static Canonicalization of(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> null;
        };
    }

    /** The field in canonical form, without the final CRLF. */
    public String header(HeaderField field) {
        return this == SIMPLE ? field.raw() : relaxedHeader(field.raw());
    }

    static String relaxedHeader(String raw) {
        int colon = raw.indexOf(':');
        String name = raw.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = raw.substring(colon + 1).replace("\r\n", "").replaceAll("[ \t]+", " ").strip();
        return name + ":" + value;
    }

    /** The body in canonical form. */
    public byte[] body(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        int start = 0;
        int pendingEmpty = 0; // empty lines are written only once a non-empty one follows
        boolean any = false;
        while (start < body.length) {
            int end = indexOfCrlf(body, start);
            int lineEnd = end < 0 ? body.length : end;
            byte[] line = this == RELAXED ? relaxedLine(body, start, lineEnd) : java.util.Arrays.copyOfRange(body, start, lineEnd);
            if (line.length == 0) {
                pendingEmpty++;
            } else {
                for (; pendingEmpty > 0; pendingEmpty--) {
                    out.write('\r');
                    out.write('\n');
                }
                out.writeBytes(line);
                out.write('\r');
                out.write('\n');
                any = true;
            }
            start = end < 0 ? body.length : end + 2;
        }
        if (!any && this == SIMPLE) {
            return new byte[] {'\r', '\n'};
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] relaxedLine(byte[] b, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        boolean space = false;
        for (int i = from; i < to; i++) {
            if (b[i] == ' ' || b[i] == '\t') {
                space = true;
            } else {
                if (space) {
                    out.write(' ');
                    space = false;
                }
                out.write(b[i]);
            }
        }
        return out.toByteArray(); // trailing white space dropped
    }
}
