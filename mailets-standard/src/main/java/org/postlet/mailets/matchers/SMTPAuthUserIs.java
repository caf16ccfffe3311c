package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.Values;

/** Selects mail whose client authenticated as one of the listed users. */
@ComponentDoc(summary = "Selects the whole mail when the SMTP client authenticated as one of the users (the login"
        + " name as given to AUTH, usually the full address; case is ignored).",
        condition = "a comma-separated list of user names",
        example = "{ match: \"SMTPAuthUserIs=alice@example.test\", class: AddHeader, name: X-Sent-By, value: alice }")
public final class SMTPAuthUserIs extends MailMatcher {

    private Set<String> users;

    @Override
    public void init() throws MessagingException {
        users = Values.nonEmptyList(name(), getRequiredCondition(), "alice@example.test, bob@example.test").stream()
                .map(u -> u.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    boolean matches(Mail mail) {
        return mail.authenticatedUser().map(u -> users.contains(u.toLowerCase(Locale.ROOT))).orElse(false);
    }
}
