package org.postlet.mailets.recipients;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;

/** Lower-cases the local part of every recipient. */
@ComponentDoc(summary = "Lower-cases the local part of the recipients (domains already are), so that"
        + " `Alice@example.test` and `alice@example.test` are the same mailbox for later steps. Duplicates that this"
        + " creates are merged.", example = "{ match: All, class: RecipientToLowerCase }")
public final class RecipientToLowerCase extends GenericMailet {

    @Override
    public void service(Mail mail) {
        Set<MailAddress> lower = new LinkedHashSet<>();
        for (MailAddress r : mail.recipients()) {
            lower.add(new MailAddress(r.localPart().toLowerCase(Locale.ROOT), r.domain()));
        }
        if (!lower.equals(new LinkedHashSet<>(mail.recipients()))) {
            mail.setRecipients(lower);
        }
    }
}
