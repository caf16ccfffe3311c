package org.postlet.auth.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A message split into its header fields and body, bytes untouched except that bare LF line ends
 * become CRLF (the canonical form DKIM signs). What DKIM, SPF and DMARC read from a message.
 *
 * @param headers the header fields, top first
 * @param body    the body after the empty line; empty when there is none
 */
public record RawMessage(List<HeaderField> headers, byte[] body) {

    public RawMessage {
        headers = List.copyOf(headers);
    }

    /** Splits {@code bytes} (RFC 5322 text) into fields and body. */
    public static RawMessage parse(byte[] bytes) {
        String text = new String(crlf(bytes), StandardCharsets.ISO_8859_1);
        List<HeaderField> headers = new ArrayList<>();
        int pos = 0;
        StringBuilder current = null;
        while (pos < text.length()) {
            int eol = text.indexOf("\r\n", pos);
            String line = eol < 0 ? text.substring(pos) : text.substring(pos, eol);
            int next = eol < 0 ? text.length() : eol + 2;
            if (line.isEmpty()) {
                pos = next;
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append("\r\n").append(line);
            } else {
                add(headers, current);
                current = new StringBuilder(line);
            }
            pos = next;
        }
        add(headers, current);
        byte[] body = text.substring(Math.min(pos, text.length())).getBytes(StandardCharsets.ISO_8859_1);
        return new RawMessage(headers, body);
    }

    private static void add(List<HeaderField> headers, StringBuilder field) {
        if (field == null) {
            return;
        }
        String raw = field.toString();
        int colon = raw.indexOf(':');
        if (colon > 0) { // a line without a colon is no field; DKIM ignores it too
            headers.add(new HeaderField(raw.substring(0, colon).strip(), raw));
        }
    }

    private static byte[] crlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }

    /** Every field of that name, top first. */
    public List<HeaderField> all(String name) {
        return headers.stream().filter(h -> h.is(name)).toList();
    }

    /** The first field of that name. */
    public Optional<HeaderField> first(String name) {
        return headers.stream().filter(h -> h.is(name)).findFirst();
    }
}
