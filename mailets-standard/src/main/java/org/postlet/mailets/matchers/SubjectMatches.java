package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.Values;

/** Selects mail whose subject contains a match of a regular expression. */
@ComponentDoc(summary = "Selects the whole mail when its decoded `Subject:` contains a match of the Java regular"
        + " expression (use `^…$` to match it whole, `(?i)` to ignore case). No subject never matches.",
        condition = "a regular expression",
        example = "{ match: \"SubjectMatches=(?i)\\\\binvoice\\\\b\", class: AddHeader, name: X-Category, value: billing }")
public final class SubjectMatches extends MailMatcher {

    private Pattern pattern;

    @Override
    public void init() throws MessagingException {
        pattern = Values.regex(name(), getRequiredCondition());
    }

    @Override
    boolean matches(Mail mail) throws MessagingException {
        String s = mail.message().getSubject();
        return s != null && pattern.matcher(s).find();
    }
}
