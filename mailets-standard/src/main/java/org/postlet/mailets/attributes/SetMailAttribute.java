package org.postlet.mailets.attributes;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetParameter;

/** Sets a mail attribute, which travels with the mail and which later steps can match on. */
@ComponentDoc(summary = "Sets a mail attribute to a text value, replacing an earlier value. Attributes are not part of"
        + " the message: they travel with the mail through the spool, for HasMailAttribute and custom mailets.",
        example = "{ match: \"AttachmentFileNameIs=*.exe\", class: SetMailAttribute, name: postlet.quarantine, value: \"yes\" }")
@MailetParameter(name = "name", required = true, description = "The attribute's name; use a prefix of your own, e.g."
        + " `com.example.`.", example = "postlet.quarantine")
@MailetParameter(name = "value", required = true, description = "Its value, as text.", example = "yes")
public final class SetMailAttribute extends GenericMailet {

    private String name;
    private String value;

    @Override
    public void init() throws MessagingException {
        name = getRequiredParameter("name").strip();
        value = getRequiredParameter("value");
    }

    @Override
    public void service(Mail mail) {
        mail.setAttribute(name, value);
    }
}
