package org.postlet.mailets.headers;

import jakarta.mail.MessagingException;
import java.util.List;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailets.Messages;
import org.postlet.mailets.Values;

/** Removes headers by name. */
@ComponentDoc(summary = "Removes every header with one of the names from the message, e.g. headers an outside"
        + " client must not be able to set. A mail without them is left unchanged.",
        example = "{ match: All, class: RemoveMimeHeader, name: \"X-Spam-Flag, X-Spam-Status\" }")
@MailetParameter(name = "name", required = true, description = "A comma-separated list of header names; case is"
        + " ignored.", example = "X-Spam-Flag, X-Spam-Status")
public final class RemoveMimeHeader extends GenericMailet {

    private List<String> names;

    @Override
    public void init() throws MessagingException {
        names = Values.nonEmptyList("RemoveMimeHeader parameter 'name'", getRequiredParameter("name"), "X-Spam-Flag, X-Spam-Status");
        for (String n : names) {
            Messages.checkHeaderName("RemoveMimeHeader parameter 'name'", n);
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        for (String n : names) {
            // Only touch what is there: removing marks the message changed, which makes the server rewrite it.
            if (mail.message().getHeader(n) != null) {
                mail.message().removeHeader(n);
            }
        }
    }
}
