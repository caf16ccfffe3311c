package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail whose subject starts with the condition. */
@ComponentDoc(summary = "Selects the whole mail when its decoded `Subject:` starts with the condition (case"
        + " matters; leading spaces of the subject are ignored).", condition = "the beginning of the subject",
        example = "{ match: \"SubjectStartsWith=[SPAM]\", class: LocalDelivery, folder: Junk }")
public final class SubjectStartsWith extends MailMatcher {

    private String prefix;

    @Override
    public void init() throws MessagingException {
        prefix = getRequiredCondition().strip();
    }

    @Override
    boolean matches(Mail mail) throws MessagingException {
        String s = mail.message().getSubject();
        return s != null && s.stripLeading().startsWith(prefix);
    }
}
