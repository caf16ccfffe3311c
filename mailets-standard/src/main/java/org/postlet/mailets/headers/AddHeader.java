package org.postlet.mailets.headers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailets.Messages;

/** Adds a header, never replacing one already there. */
@ComponentDoc(summary = "Adds a header to the message, keeping any headers of that name already there (as trace"
        + " headers need). Use SetMimeHeader to replace.",
        example = "{ match: All, class: AddHeader, name: X-Seen-By, value: mx.example.test }")
@MailetParameter(name = "name", required = true, description = "The header's name.", example = "X-Seen-By")
@MailetParameter(name = "value", required = true, description = "Its value, on one line; non-ASCII text is encoded"
        + " as RFC 2047 words.", example = "mx.example.test")
public final class AddHeader extends GenericMailet {

    private String name;
    private String value;

    @Override
    public void init() throws MessagingException {
        name = getRequiredParameter("name").strip();
        Messages.checkHeaderName("AddHeader parameter 'name'", name);
        value = getRequiredParameter("value");
        Messages.checkHeaderValue("AddHeader parameter 'value'", value);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        mail.message().addHeader(name, HeaderText.encode(value));
    }
}
