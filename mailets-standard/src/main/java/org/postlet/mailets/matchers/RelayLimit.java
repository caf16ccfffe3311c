package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.Values;

/** Selects mail that has passed through too many servers: a mail loop. */
@ComponentDoc(summary = "Selects the whole mail when it has at least this many `Received:` headers, the sign of a"
        + " mail loop (RFC 5321 §6.3). Put it first in `root`.", condition = "a whole number, at least 1; 30 is usual",
        example = "{ match: \"RelayLimit=30\", class: ToProcessor, processor: error, notice: \"mail loop: too many Received headers\" }")
public final class RelayLimit extends MailMatcher {

    private int limit;

    @Override
    public void init() throws MessagingException {
        limit = Values.integer(name() + " condition", getRequiredCondition(), 1);
    }

    @Override
    boolean matches(Mail mail) throws MessagingException {
        String[] received = mail.message().getHeader("Received");
        return received != null && received.length >= limit;
    }
}
