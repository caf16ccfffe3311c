package org.postlet.mailets.matchers;

import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;

/** Selects recipients that are local users or aliases of a local domain. */
@ComponentDoc(summary = "Selects the recipients that are users or aliases of a local domain (`users` and `aliases`"
        + " in postlet.yaml).", example = "{ match: RecipientIsLocal, class: LocalDelivery }")
public final class RecipientIsLocal extends GenericRecipientMatcher {

    @Override
    public void init() throws MailetException {
        if (getCondition().isPresent()) {
            throw new MailetException("RecipientIsLocal takes no condition — write just RecipientIsLocal");
        }
    }

    @Override
    public boolean matchRecipient(MailAddress recipient) {
        return getMailetContext().isLocalUser(recipient);
    }
}
