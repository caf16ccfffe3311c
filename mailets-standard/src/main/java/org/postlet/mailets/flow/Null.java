package org.postlet.mailets.flow;

import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;

/** Discards the mail for its recipients, logging that it did so: mail never vanishes unseen. */
@ComponentDoc(summary = "Ends the mail for the selected recipients, logging sender and recipients: mail never"
        + " vanishes unseen.", example = "{ match: \"RecipientIs=devnull@example.test\", class: Null }")
public final class Null extends GenericMailet {

    @Override
    public void service(Mail mail) {
        getMailetContext().logger().info("{}: discarded by Null: from={} to={}", mail.name(),
                mail.sender().map(MailAddress::toPath).orElse("<>"), mail.recipients());
        mail.setState(ProcessingState.GHOST);
    }
}
