package org.postlet.mailets.auth;

import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Puts a field on top of a message's header, where trace fields ({@code DKIM-Signature},
 * {@code Authentication-Results}) belong: {@link MimeMessage#addHeader} would append it at the end.
 * Every other field keeps its text and order.
 */
final class TopHeaders {

    private TopHeaders() {
    }

    /**
     * Prepends {@code field} (a whole field, {@code Name: value}, folded with CRLF) and drops
     * the existing lines {@code drop} selects.
     */
    static void prepend(MimeMessage message, String field, Predicate<String> drop) throws MessagingException {
        List<String> lines = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (Enumeration<String> e = message.getAllHeaderLines(); e.hasMoreElements(); ) {
            lines.add(e.nextElement());
        }
        for (Enumeration<Header> e = message.getAllHeaders(); e.hasMoreElements(); ) {
            names.add(e.nextElement().getName());
        }
        for (String name : names) {
            message.removeHeader(name);
        }
        message.addHeaderLine(field);
        for (String line : lines) {
            if (!drop.test(line)) {
                message.addHeaderLine(line);
            }
        }
    }
}
