package org.postlet.mailets.attributes;

import jakarta.mail.MessagingException;
import java.util.List;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailets.Values;

/** Removes mail attributes. */
@ComponentDoc(summary = "Removes the mail attributes with the names; attributes that are not set are ignored.",
        example = "{ match: All, class: RemoveMailAttribute, name: postlet.quarantine }")
@MailetParameter(name = "name", required = true, description = "A comma-separated list of attribute names.",
        example = "postlet.quarantine")
public final class RemoveMailAttribute extends GenericMailet {

    private List<String> names;

    @Override
    public void init() throws MessagingException {
        names = Values.nonEmptyList("RemoveMailAttribute parameter 'name'", getRequiredParameter("name"), "postlet.quarantine");
    }

    @Override
    public void service(Mail mail) {
        names.forEach(mail::removeAttribute);
    }
}
