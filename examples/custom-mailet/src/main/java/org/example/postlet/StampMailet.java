package org.example.postlet;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;

/**
 * Stamps each mail with a header saying who passed it on and when:
 * {@code X-Stamp: checked by mx.example.test at 2025-05-01T12:00:00Z}.
 *
 * <p>Parameters: {@code stamp} (required) — the words before "by"; {@code header} (optional,
 * default {@code X-Stamp}) — the header to set.
 *
 * <pre>
 * - { match: All, class: org.example.postlet.StampMailet, stamp: checked }
 * </pre>
 *
 * <p>The server creates the mailet with Guice, so its constructor can ask for server services:
 * here the {@link Clock}, which a test replaces with a fixed one.
 */
public final class StampMailet extends GenericMailet {

    private final Clock clock;
    private String header;
    private String stamp;

    @Inject
    public StampMailet(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        stamp = getRequiredParameter("stamp");
        header = getInitParameter("header", "X-Stamp").strip();
        if (!header.matches("[A-Za-z0-9-]+")) {
            throw new MailetException("StampMailet parameter 'header' is '" + header
                    + "', not a header name — use letters, digits and '-', e.g. X-Stamp");
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        // message() parses the mail on first use; once a header is set, the server delivers the
        // changed message. No saveChanges(): it would give the message a new Message-ID.
        mail.message().setHeader(header, stamp + " by " + getMailetContext().serverHostname() + " at " + now);
    }

    @Override
    public String info() {
        return "StampMailet " + header + ": " + stamp;
    }
}
