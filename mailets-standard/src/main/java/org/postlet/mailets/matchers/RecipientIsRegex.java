package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.MailAddress;
import org.postlet.mailets.Values;

/** Selects the recipients whose address matches a regular expression. */
@ComponentDoc(summary = "Selects the recipients whose whole address (`local@domain`, domain in lower case) matches a"
        + " Java regular expression. Add `(?i)` to ignore case in the local part.",
        condition = "a regular expression",
        example = "{ match: \"RecipientIsRegex=^noreply-.*@example\\\\.test$\", class: Null }")
public final class RecipientIsRegex extends GenericRecipientMatcher {

    private Pattern pattern;

    @Override
    public void init() throws MessagingException {
        pattern = Values.regex(getMatcherConfig().matcherName(), getRequiredCondition());
    }

    @Override
    public boolean matchRecipient(MailAddress recipient) {
        return pattern.matcher(recipient.toString()).matches();
    }
}
