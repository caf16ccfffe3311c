package org.postlet.mailets.delivery;

/**
 * One reply of an LMTP server: its code and its text, the lines of a multi-line reply joined by
 * a space.
 *
 * @param code the three-digit reply code
 * @param text what follows the code, e.g. {@code 2.0.0 <alice@example.test> Saved}
 */
record LmtpReply(int code, String text) {

    boolean positive() {
        return code >= 200 && code < 300;
    }

    boolean temporary() {
        return code >= 400 && code < 500;
    }

    @Override
    public String toString() {
        return code + " " + text;
    }
}
