package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail with exactly one recipient. */
@ComponentDoc(summary = "Selects the mail when it has exactly one envelope recipient (left after earlier splits).",
        example = "{ match: \"IsSingleRecipient\", class: AddHeader, name: X-Single-Recipient, value: \"yes\" }")
public final class IsSingleRecipient extends MailMatcher {

    @Override
    public void init() throws MessagingException {
        noCondition();
    }

    @Override
    boolean matches(Mail mail) {
        return mail.recipients().size() == 1;
    }
}
