package org.postlet.mailets.notify;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ProcessingState;

/**
 * Returns the mail to its envelope sender with an RFC 3464 delivery status notification, sent
 * from the null sender so that it can never be bounced in turn.
 */
@ComponentDoc(summary = "Sends the envelope sender a delivery status notification (RFC 3464 `multipart/report`: a"
        + " text for people, a `message/delivery-status` part naming each failed recipient with its status and"
        + " the reason, and the original message or its header) from the null sender `<>`, then ends the mail."
        + " The reason is the mail's error message if it has one, else `notice`. Mail from the null sender is"
        + " never bounced (only logged), so bounces cannot loop. Recipients whose `RCPT TO` said `NOTIFY=NEVER` (or"
        + " a NOTIFY without FAILURE) are left out; `ENVID` and `ORCPT` are returned (RFC 3461).",
        example = "{ match: All, class: Bounce, status: \"5.1.1\", notice: \"No such user here\" }")
@MailetParameter(name = "notice", description = "The reason given to the sender when the mail has no error message of"
        + " its own. Default: `The message could not be delivered`.", example = "No such user here")
@MailetParameter(name = "status", description = "The RFC 3463 status code of the failed recipients, e.g. `5.1.1` (bad"
        + " mailbox), `5.2.2` (mailbox full), `5.7.1` (refused). Default `5.0.0`.", example = "5.1.1")
@MailetParameter(name = "attachment", description = "What of the original to return: `message` (default), `headers`"
        + " or `none`. The sender's `RET=HDRS` or `RET=FULL` (RFC 3461) overrides it, except `none`.", example = "headers")
@MailetParameter(name = "passThrough", description = "`true` to let the mail go on after the bounce is sent; default"
        + " `false`.", example = "false")
public final class Bounce extends GenericMailet {

    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    private String notice;
    private String status;
    private Attachment attachment;
    private boolean passThrough;

    @Override
    public void init() throws MessagingException {
        notice = getInitParameter("notice", "The message could not be delivered").strip();
        status = getInitParameter("status", "5.0.0").strip();
        if (!STATUS.matcher(status).matches()) {
            throw new MailetException("Bounce parameter 'status' is '" + status
                    + "', not a status code — write class.subject.detail as in RFC 3463, e.g. 5.1.1");
        }
        attachment = Attachment.parse("Bounce parameter 'attachment'", getInitParameter("attachment", "message"));
        passThrough = getBooleanParameter("passThrough", false);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        String reason = mail.errorMessage().filter(e -> !e.isBlank()).orElse(notice);
        Optional<MailAddress> sender = mail.sender();
        if (sender.isEmpty()) {
            getMailetContext().logger().warn("{}: not bounced: the sender is the null sender <> (a bounce is never bounced);"
                    + " failed recipients {}: {}", mail.name(), mail.recipients(), reason);
        } else if (getMailetContext().dryRun()) {
            getMailetContext().logger().info("{}: would bounce to {} for {}: {}", mail.name(), sender.get(), mail.recipients(), reason);
        } else if (mail.recipients().stream().noneMatch(r -> DeliveryStatusReport.wanted(mail, r, "FAILURE"))) {
            getMailetContext().logger().info("{}: not bounced: the sender asked not to be told (NOTIFY) about {}: {}",
                    mail.name(), mail.recipients(), reason);
        } else {
            List<MailAddress> reported = mail.recipients().stream()
                    .filter(r -> DeliveryStatusReport.wanted(mail, r, "FAILURE")).toList();
            getMailetContext().sendMail(mail, Optional.empty(), List.of(sender.get()), dsn(mail, sender.get(), reason,
                    reported), ProcessingState.ROOT);
            getMailetContext().logger().info("{}: bounced to {} for {} ({} {})", mail.name(), sender.get(), reported,
                    status, reason);
        }
        if (!passThrough) {
            mail.setState(ProcessingState.GHOST);
        }
    }

    private MimeMessage dsn(Mail mail, MailAddress sender, String reason, List<MailAddress> recipients)
            throws MessagingException {
        List<DeliveryStatusReport.Recipient> failed = new ArrayList<>();
        for (MailAddress r : recipients) {
            failed.add(new DeliveryStatusReport.Recipient(r, DeliveryStatusReport.Action.FAILED, status, Optional.empty(),
                    Optional.empty(), reason));
        }
        return DeliveryStatusReport.of(getMailetContext(), mail, sender, failed, DeliveryStatusReport.returned(mail, attachment));
    }
}
