package org.postlet.mailets.recipients;

import jakarta.mail.MessagingException;
import java.util.List;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailets.Messages;
import org.postlet.mailets.Values;

/** Sends the mail, unchanged, to other recipients. */
@ComponentDoc(summary = "Sends the original message unchanged, with the original envelope sender, to the listed"
        + " addresses as a new mail that starts in `root`. The mail then ends, unless `passThrough` is true.",
        example = "{ match: \"RecipientIs=sales@example.test\", class: Forward, forwardTo: \"alice@example.test, bob@example.test\" }")
@MailetParameter(name = "forwardTo", required = true, description = "A comma-separated list of addresses.",
        example = "alice@example.test, bob@example.test")
@MailetParameter(name = "passThrough", description = "`true` to let the mail go on to its original recipients as well;"
        + " default `false`.", example = "true")
public final class Forward extends GenericMailet {

    private List<MailAddress> forwardTo;
    private boolean passThrough;

    @Override
    public void init() throws MessagingException {
        forwardTo = Values.addresses("Forward parameter 'forwardTo'", getRequiredParameter("forwardTo"));
        passThrough = getBooleanParameter("passThrough", false);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (getMailetContext().dryRun()) {
            getMailetContext().logger().info("{}: would forward to {}", mail.name(), forwardTo);
        } else {
            getMailetContext().sendMail(mail, mail.sender(), forwardTo, Messages.copy(mail, getMailetContext()), ProcessingState.ROOT);
            getMailetContext().logger().info("{}: forwarded {} to {}", mail.name(), mail.recipients(), forwardTo);
        }
        if (!passThrough) {
            mail.setState(ProcessingState.GHOST);
        }
    }
}
