package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.Set;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.MailAddress;
import org.postlet.mailets.Values;

/** Selects the recipients in one of the listed domains. */
@ComponentDoc(summary = "Selects the recipients whose domain is one of the list (case is ignored; sub-domains are"
        + " not included).", condition = "a comma-separated list of domains",
        example = "{ match: \"RecipientDomainIs=lists.example.test\", class: ToProcessor, processor: lists }")
public final class RecipientDomainIs extends GenericRecipientMatcher {

    private Set<String> domains;

    @Override
    public void init() throws MessagingException {
        domains = Set.copyOf(Values.domains(getMatcherConfig().matcherName(), getRequiredCondition()));
    }

    @Override
    public boolean matchRecipient(MailAddress recipient) {
        return domains.contains(recipient.domain());
    }
}
