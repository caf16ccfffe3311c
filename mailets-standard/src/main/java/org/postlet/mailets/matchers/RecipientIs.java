package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.Set;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.MailAddress;
import org.postlet.mailets.Values;

/** Selects the recipients in a list. */
@ComponentDoc(summary = "Selects the recipients that are in the list. The local part is compared as written, the domain"
        + " ignoring case.", condition = "a comma-separated list of addresses",
        example = "{ match: \"RecipientIs=abuse@example.test, postmaster@example.test\", class: ToProcessor, processor: abuse }")
public final class RecipientIs extends GenericRecipientMatcher {

    private Set<MailAddress> addresses;

    @Override
    public void init() throws MessagingException {
        addresses = Set.copyOf(Values.addresses(getMatcherConfig().matcherName(), getRequiredCondition()));
    }

    @Override
    public boolean matchRecipient(MailAddress recipient) {
        return addresses.contains(recipient);
    }
}
