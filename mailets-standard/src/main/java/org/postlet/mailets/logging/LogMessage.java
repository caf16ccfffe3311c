package org.postlet.mailets.logging;

import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.slf4j.event.Level;

/**
 * Logs one line per mail: queue id, sender, recipients, size, client and, if asked, headers.
 * Parameters: {@code level} ({@code info} by default; {@code debug}, {@code warn}, ...),
 * {@code headers} (comma-separated header names, e.g. {@code Subject, Message-ID}; reading them
 * parses the message, so none are logged by default). The mail goes on unchanged.
 */
public final class LogMessage extends GenericMailet {

    private Level level;
    private List<String> headers;

    @Override
    public void init() throws MessagingException {
        String l = getInitParameter("level", "info");
        try {
            level = Level.valueOf(l.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MailetException("LogMessage parameter 'level' is '" + l + "' — write trace, debug, info, warn or error");
        }
        headers = new ArrayList<>();
        for (String h : getInitParameter("headers", "").split(",")) {
            if (!h.isBlank()) {
                headers.add(h.strip());
            }
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        StringBuilder line = new StringBuilder(160).append(mail.name())
                .append(": from=").append(mail.sender().map(MailAddress::toPath).orElse("<>"))
                .append(" to=").append(mail.recipients())
                .append(" size=").append(mail.size())
                .append(" client=").append(mail.remoteAddress())
                .append(" helo=").append(mail.heloName());
        for (String h : headers) {
            String value = mail.message().getHeader(h, ", ");
            line.append(' ').append(h).append("=\"").append(value == null ? "" : value.replaceAll("[\\r\\n]+\\s*", " ")).append('"');
        }
        getMailetContext().logger().atLevel(level).log(line.toString());
    }
}
