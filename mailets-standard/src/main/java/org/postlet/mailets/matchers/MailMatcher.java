package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.Collection;
import java.util.List;
import org.postlet.mailet.GenericMatcher;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;

/**
 * A matcher that decides for the whole mail (its sender, headers, size, client): it selects all
 * recipients or none, so it never splits a mail.
 */
abstract class MailMatcher extends GenericMatcher {

    @Override
    public final Collection<MailAddress> match(Mail mail) throws MessagingException {
        return matches(mail) ? List.copyOf(mail.recipients()) : List.of();
    }

    /** Whether the mail is selected. */
    abstract boolean matches(Mail mail) throws MessagingException;

    /** Refuses a condition for matchers that take none. */
    final void noCondition() throws MailetException {
        if (getCondition().isPresent()) {
            String name = getMatcherConfig().matcherName();
            throw new MailetException(name + " takes no condition — write just " + name);
        }
    }

    /** The name as written in the pipeline, for messages. */
    final String name() {
        return getMatcherConfig().matcherName();
    }
}
