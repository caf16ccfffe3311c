package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.Set;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailets.Values;

/** Selects mail whose envelope sender is in a list. */
@ComponentDoc(summary = "Selects the whole mail when its envelope sender (`MAIL FROM`) is one of the list. The null"
        + " sender `<>` never matches; use SenderIsNull for it.", condition = "a comma-separated list of addresses",
        example = "{ match: \"SenderIs=boss@example.test\", class: AddHeader, name: X-Priority, value: \"1\" }")
public final class SenderIs extends MailMatcher {

    private Set<MailAddress> senders;

    @Override
    public void init() throws MessagingException {
        senders = Set.copyOf(Values.addresses(name(), getRequiredCondition()));
    }

    @Override
    boolean matches(Mail mail) {
        return mail.sender().map(senders::contains).orElse(false);
    }
}
