package org.postlet.server.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A message body that needs 8BITMIME: every octet from 0x80 to 0xFF, then Latin-1 and UTF-8 text.
 * It is valid in no single charset, and need not be: SMTP and Maildir carry octets.
 */
public final class EightBitBody {

    /** The header block announcing it, CRLF line ends, ending with the empty line. */
    public static final String HEADER = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n";

    private EightBitBody() {
    }

    /** The body, CRLF line ends. */
    public static byte[] bytes() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int line = 0; line < 4; line++) {
            for (int b = 0x80 + line * 32; b < 0x80 + (line + 1) * 32; b++) {
                body.write(b);
            }
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes("Gr\u00fc\u00dfe in Latin-1\r\n".getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes("Gr\u00fc\u00dfe in UTF-8, \u2603 and \ud83d\udce8\r\n".getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }
}
