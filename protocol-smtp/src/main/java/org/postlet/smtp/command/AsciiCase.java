package org.postlet.smtp.command;

/**
 * Case folding for the protocol's keywords (verbs, ESMTP keywords and values, SASL mechanism
 * names), which are ASCII and compare case-insensitively in ASCII only. {@code toUpperCase}
 * would fold {@code ı} (dotless i) to {@code I} and {@code ſ} (long s) to {@code S}, so
 * {@code maıl} or {@code ſtarttls} would be obeyed by this server and not by a filter before it.
 */
public final class AsciiCase {

    private AsciiCase() {
    }

    /** {@code text} with a-z upper-cased and every other character left as it is. */
    public static String upper(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            b.append(c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c);
        }
        return b.toString();
    }

    /**
     * Whether {@code upper} (upper-case ASCII) equals {@code text} with a-z upper-cased, as
     * {@code upper.equals(upper(text))} says, without building the upper-cased copy.
     */
    static boolean equalsIgnoreCase(String upper, String text) {
        if (upper.length() != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c) != upper.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
