package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail whose client authenticated with SMTP AUTH. */
@ComponentDoc(summary = "Selects the whole mail when the SMTP client authenticated (SMTP AUTH) before sending it.",
        example = "{ match: \"SMTPAuthSuccessful and not RecipientIsLocal\", class: ToProcessor, processor: relay }")
public final class SMTPAuthSuccessful extends MailMatcher {

    @Override
    public void init() throws MessagingException {
        noCondition();
    }

    @Override
    boolean matches(Mail mail) {
        return mail.authenticatedUser().isPresent();
    }
}
