package org.postlet.mailets.notify;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailets.Messages;

/** Sends the postmaster a notice about the mail, with the mail attached. */
@ComponentDoc(summary = "Sends the postmaster a notice with the envelope, the mail's error message and the original"
        + " message attached, from the null sender `<>` (a notice must not bounce). The mail goes on unchanged"
        + " unless `passThrough` is false.",
        example = "{ match: All, class: NotifyPostmaster, notice: \"A mail was quarantined\" }")
@MailetParameter(name = "notice", description = "The first line of the notice. Default: `A message needs your"
        + " attention`.", example = "A mail was quarantined")
@MailetParameter(name = "attachment", description = "What of the original to attach: `message` (default), `headers`"
        + " or `none`.", example = "headers")
@MailetParameter(name = "passThrough", description = "`false` to end the mail after the notice; default `true`.",
        example = "false")
public final class NotifyPostmaster extends GenericMailet {

    private String notice;
    private Attachment attachment;
    private boolean passThrough;

    @Override
    public void init() throws MessagingException {
        notice = getInitParameter("notice", "A message needs your attention").strip();
        attachment = Attachment.parse("NotifyPostmaster parameter 'attachment'", getInitParameter("attachment", "message"));
        passThrough = getBooleanParameter("passThrough", true);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MailAddress postmaster = getMailetContext().postmaster();
        if (getMailetContext().dryRun()) {
            getMailetContext().logger().info("{}: would notify {}: {}", mail.name(), postmaster, notice);
        } else {
            getMailetContext().sendMail(mail, Optional.empty(), List.of(postmaster), notice(mail, postmaster), ProcessingState.ROOT);
            getMailetContext().logger().info("{}: notified {}: {}", mail.name(), postmaster, notice);
        }
        if (!passThrough) {
            mail.setState(ProcessingState.GHOST);
        }
    }

    private MimeMessage notice(Mail mail, MailAddress postmaster) throws MessagingException {
        String host = getMailetContext().serverHostname();
        MimeMessage message = Messages.newNotice(getMailetContext(), postmaster);
        String subject = null;
        try {
            subject = mail.message().getSubject();
        } catch (MessagingException e) {
            // the notice matters more than the original's subject
        }
        message.setSubject("[" + host + "] " + notice + (subject == null ? "" : ": " + subject), "UTF-8");
        message.setSentDate(new Date());
        message.setHeader("Auto-Submitted", "auto-generated");
        String text = notice + "\r\n\r\n"
                + "Queue id:   " + mail.name() + "\r\n"
                + "Sender:     " + mail.sender().map(MailAddress::toPath).orElse("<>") + "\r\n"
                + "Recipients: " + mail.recipients() + "\r\n"
                + "Client:     " + mail.remoteHost() + " [" + mail.remoteAddress() + "] helo " + mail.heloName() + "\r\n"
                + "Size:       " + mail.size() + " bytes\r\n"
                + "State:      " + mail.state() + "\r\n"
                + "Error:      " + mail.errorMessage().orElse("none") + "\r\n";
        MimeBodyPart body = new MimeBodyPart();
        body.setText(text, "UTF-8", "plain");
        MimeBodyPart original = attachment.part(mail);
        if (original == null) {
            message.setContent(new MimeMultipart(body));
        } else {
            message.setContent(new MimeMultipart(body, original));
        }
        message.saveChanges();
        return message;
    }
}
