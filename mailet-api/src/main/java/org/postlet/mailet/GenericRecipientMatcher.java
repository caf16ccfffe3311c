package org.postlet.mailet;

import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** A matcher that decides for each recipient on its own, e.g. "is this recipient local?". */
public abstract class GenericRecipientMatcher extends GenericMatcher {

    @Override
    public final Collection<MailAddress> match(Mail mail) throws MessagingException {
        List<MailAddress> selected = new ArrayList<>();
        for (MailAddress recipient : mail.recipients()) {
            if (matchRecipient(recipient)) {
                selected.add(recipient);
            }
        }
        return selected;
    }

    /** Whether this recipient is selected. */
    public abstract boolean matchRecipient(MailAddress recipient) throws MessagingException;
}
