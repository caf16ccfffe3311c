package org.postlet.mailets.headers;

import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;

/** Encodes configured header text so that non-ASCII values reach the message as RFC 2047 words. */
final class HeaderText {

    private HeaderText() {
    }

    static String encode(String value) {
        if (StandardCharsets.US_ASCII.newEncoder().canEncode(value)) {
            return value;
        }
        try {
            return MimeUtility.fold(0, MimeUtility.encodeText(value, "UTF-8", null));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }
}
