package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.Set;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.Values;

/** Selects mail whose envelope sender is in one of the listed domains. */
@ComponentDoc(summary = "Selects the whole mail when the domain of its envelope sender is one of the list (case is"
        + " ignored). The null sender never matches.", condition = "a comma-separated list of domains",
        example = "{ match: \"SenderDomainIs=partner.example\", class: AddSubjectPrefix, prefix: \"[partner]\" }")
public final class SenderDomainIs extends MailMatcher {

    private Set<String> domains;

    @Override
    public void init() throws MessagingException {
        domains = Set.copyOf(Values.domains(name(), getRequiredCondition()));
    }

    @Override
    boolean matches(Mail mail) {
        return mail.sender().map(s -> domains.contains(s.domain())).orElse(false);
    }
}
