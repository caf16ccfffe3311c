package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail whose subject is exactly the condition. */
@ComponentDoc(summary = "Selects the whole mail when its decoded `Subject:` equals the condition exactly (case"
        + " matters, surrounding spaces do not).", condition = "the subject",
        example = "{ match: \"SubjectIs=unsubscribe\", class: ToProcessor, processor: unsubscribe }")
public final class SubjectIs extends MailMatcher {

    private String subject;

    @Override
    public void init() throws MessagingException {
        subject = getRequiredCondition().strip();
    }

    @Override
    boolean matches(Mail mail) throws MessagingException {
        String s = mail.message().getSubject();
        return s != null && s.strip().equals(subject);
    }
}
