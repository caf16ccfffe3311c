package org.postlet.mailets.headers;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailets.Messages;

/** Puts a prefix in front of the subject. */
@ComponentDoc(summary = "Puts a prefix and a space in front of the subject (a mail without one gets the prefix as"
        + " subject). A subject that already starts with the prefix is left alone, so a reply does not collect"
        + " `[list] [list]`.", example = "{ match: \"SenderDomainIs=partner.example\", class: AddSubjectPrefix, prefix: \"[partner]\" }")
@MailetParameter(name = "prefix", required = true, description = "The text to put in front, e.g. `[SPAM]`.", example = "[SPAM]")
public final class AddSubjectPrefix extends GenericMailet {

    private String prefix;

    @Override
    public void init() throws MessagingException {
        prefix = getRequiredParameter("prefix").strip();
        Messages.checkHeaderValue("AddSubjectPrefix parameter 'prefix'", prefix);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MimeMessage message = mail.message();
        String subject = message.getSubject();
        if (subject != null && subject.stripLeading().startsWith(prefix)) {
            return;
        }
        message.setSubject(subject == null || subject.isBlank() ? prefix : prefix + " " + subject.strip(), "UTF-8");
    }
}
