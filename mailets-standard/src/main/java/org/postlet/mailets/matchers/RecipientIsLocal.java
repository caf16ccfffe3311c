package org.postlet.mailets.matchers;

import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;

/** Selects recipients that are local users or aliases of a local domain. */
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
