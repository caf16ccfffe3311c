package org.postlet.mailets.headers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailets.Messages;

/** Sets a header, replacing every earlier one of the same name. */
@ComponentDoc(summary = "Sets a header of the message, replacing all headers of that name. Use AddHeader to add"
        + " one beside those already there.",
        example = "{ match: All, class: SetMimeHeader, name: X-Processed-By, value: postlet }")
@MailetParameter(name = "name", required = true, description = "The header's name.", example = "X-Processed-By")
@MailetParameter(name = "value", required = true, description = "Its value, on one line; non-ASCII text is encoded"
        + " as RFC 2047 words.", example = "postlet")
public final class SetMimeHeader extends GenericMailet {

    private String name;
    private String value;

    @Override
    public void init() throws MessagingException {
        name = getRequiredParameter("name").strip();
        Messages.checkHeaderName("SetMimeHeader parameter 'name'", name);
        value = getRequiredParameter("value");
        Messages.checkHeaderValue("SetMimeHeader parameter 'value'", value);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        mail.message().setHeader(name, HeaderText.encode(value));
    }
}
