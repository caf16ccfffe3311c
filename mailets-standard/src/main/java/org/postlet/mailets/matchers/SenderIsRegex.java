package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.Values;

/** Selects mail whose envelope sender matches a regular expression. */
@ComponentDoc(summary = "Selects the whole mail when its envelope sender (`local@domain`) matches a Java regular"
        + " expression in full. The null sender never matches.", condition = "a regular expression",
        example = "{ match: \"SenderIsRegex=^(newsletter|promo)@.*$\", class: LocalDelivery, folder: Newsletters }")
public final class SenderIsRegex extends MailMatcher {

    private Pattern pattern;

    @Override
    public void init() throws MessagingException {
        pattern = Values.regex(name(), getRequiredCondition());
    }

    @Override
    boolean matches(Mail mail) {
        return mail.sender().map(s -> pattern.matcher(s.toString()).matches()).orElse(false);
    }
}
