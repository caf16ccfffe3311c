package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailet.ParameterValues;

/** Selects mail bigger than a size. */
@ComponentDoc(summary = "Selects the whole mail when its size as received is greater than the condition. Does not"
        + " parse the message.", condition = "a size: `512`, `10k`, `5MB`, `1G` (powers of 1024)",
        example = "{ match: \"SizeGreaterThan=10MB\", class: Bounce, notice: \"Message too large for this list\" }")
public final class SizeGreaterThan extends MailMatcher {

    private long limit;

    @Override
    public void init() throws MessagingException {
        limit = ParameterValues.size(name() + " condition", getRequiredCondition());
    }

    @Override
    boolean matches(Mail mail) {
        return mail.size() > limit;
    }
}
