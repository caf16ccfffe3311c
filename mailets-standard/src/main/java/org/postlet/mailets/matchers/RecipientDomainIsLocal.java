package org.postlet.mailets.matchers;

import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;

/** Selects recipients in a local domain, whether or not a user or alias of that name exists. */
@ComponentDoc(summary = "Selects the recipients whose domain is local (`domains` in postlet.yaml), known user or not:"
        + " with `not RecipientIsLocal`, the local addresses nobody receives.",
        example = "{ match: \"RecipientDomainIsLocal and not RecipientIsLocal\", class: Bounce }")
public final class RecipientDomainIsLocal extends GenericRecipientMatcher {

    @Override
    public void init() throws MailetException {
        if (getCondition().isPresent()) {
            throw new MailetException("RecipientDomainIsLocal takes no condition — write just RecipientDomainIsLocal");
        }
    }

    @Override
    public boolean matchRecipient(MailAddress recipient) {
        return getMailetContext().isLocalDomain(recipient.domain());
    }
}
