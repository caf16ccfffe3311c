package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail whose envelope sender is a local user or alias. */
@ComponentDoc(summary = "Selects the whole mail when its envelope sender is a user or alias of a local domain. The"
        + " sender is not authenticated by this: combine with SMTPAuthSuccessful to trust it.",
        example = "{ match: \"SenderIsLocal and not SMTPAuthSuccessful\", class: AddHeader, name: X-Unverified-Sender, value: \"yes\" }")
public final class SenderIsLocal extends MailMatcher {

    @Override
    public void init() throws MessagingException {
        noCondition();
    }

    @Override
    boolean matches(Mail mail) {
        return mail.sender().map(getMailetContext()::isLocalUser).orElse(false);
    }
}
