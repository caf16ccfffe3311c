package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.Values;

/** Selects mail with more recipients than a limit. */
@ComponentDoc(summary = "Selects the whole mail when it has more envelope recipients than the limit.",
        condition = "a whole number, at least 1",
        example = "{ match: \"TooManyRecipients=50\", class: ToRepository, path: ../var/suspicious }")
public final class TooManyRecipients extends MailMatcher {

    private int limit;

    @Override
    public void init() throws MessagingException {
        limit = Values.integer(name() + " condition", getRequiredCondition(), 1);
    }

    @Override
    boolean matches(Mail mail) {
        return mail.recipients().size() > limit;
    }
}
