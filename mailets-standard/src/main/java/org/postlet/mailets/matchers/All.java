package org.postlet.mailets.matchers;

import java.util.Collection;
import java.util.List;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMatcher;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;

/** Selects every recipient. */
@ComponentDoc(summary = "Selects every recipient of the mail.", example = "{ match: All, class: LogMessage }")
public final class All extends GenericMatcher {

    @Override
    public void init() throws MailetException {
        if (getCondition().isPresent()) {
            throw new MailetException("All takes no condition — write just All");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return List.copyOf(mail.recipients());
    }
}
