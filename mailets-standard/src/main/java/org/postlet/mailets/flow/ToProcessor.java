package org.postlet.mailets.flow;

import jakarta.mail.MessagingException;
import java.util.Optional;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.ProcessingState;

/**
 * Sends the mail to another processor. Parameters: {@code processor} (required), {@code notice}
 * (optional: recorded as the mail's error message, e.g. why it goes to {@code error}).
 */
@ComponentDoc(summary = "Sends the mail to another processor, where it continues with its first step.",
        example = "{ match: RecipientIsLocal, class: ToProcessor, processor: local }")
@MailetParameter(name = "processor", required = true, description = "The processor's state name; `check` reports one"
        + " that does not exist.", example = "local")
@MailetParameter(name = "notice", description = "Recorded as the mail's error message, e.g. why it goes to `error`;"
        + " shown in repositories and bounces.", example = "no local mailbox")
public final class ToProcessor extends GenericMailet {

    private ProcessingState target;
    private Optional<String> notice;

    @Override
    public void init() throws MessagingException {
        String name = getRequiredParameter("processor");
        try {
            target = new ProcessingState(name.strip());
        } catch (IllegalArgumentException e) {
            throw new org.postlet.mailet.MailetException("ToProcessor: " + e.getMessage());
        }
        notice = getInitParameter("notice");
    }

    @Override
    public void service(Mail mail) {
        notice.ifPresent(mail::setErrorMessage);
        mail.setState(target);
    }

    @Override
    public String info() {
        return "ToProcessor " + target;
    }
}
