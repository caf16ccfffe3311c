package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail with the null sender {@code <>}: bounces and other automatic notices. */
@ComponentDoc(summary = "Selects the whole mail when its envelope sender is the null sender `<>`, which bounces and"
        + " other delivery notices use. Such mail must never be answered.",
        example = "{ match: \"SenderIsNull\", class: LogMessage, template: \"bounce for {recipients}\" }")
public final class SenderIsNull extends MailMatcher {

    @Override
    public void init() throws MessagingException {
        noCondition();
    }

    @Override
    boolean matches(Mail mail) {
        return mail.sender().isEmpty();
    }
}
