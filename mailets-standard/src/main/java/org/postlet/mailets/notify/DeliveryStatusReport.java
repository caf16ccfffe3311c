package org.postlet.mailets.notify;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetContext;
import org.postlet.mailets.Messages;

/**
 * An RFC 3464 delivery status notification about a mail: {@code multipart/report} with a text for
 * people, a {@code message/delivery-status} part with one block per recipient, and the original
 * (whole, its header, or nothing). Sent from {@code <>} by the mailets that report failures.
 */
public final class DeliveryStatusReport {

    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** The RFC 3464 §2.3.3 actions. */
    public enum Action {
        FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED;

        String field() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What happened to one recipient.
     *
     * @param address   the recipient
     * @param action    what became of it
     * @param status    the RFC 3463 status, e.g. {@code 5.1.1}
     * @param remoteMta the remote host that gave the diagnostic, if one did
     * @param smtpReply the remote's SMTP reply, if there was one (becomes {@code Diagnostic-Code: smtp; ...})
     * @param reason    why, in words for people (and the diagnostic when no SMTP reply)
     */
    public record Recipient(MailAddress address, Action action, String status, Optional<String> remoteMta,
                            Optional<String> smtpReply, String reason) {
    }

    private DeliveryStatusReport() {
    }

    /**
     * Whether the sender wants to hear about {@code event} ({@code FAILURE}, {@code DELAY},
     * {@code SUCCESS}) for this recipient (RFC 3461 §4.1): without a NOTIFY parameter, failures
     * and delays are reported, successes not; {@code NEVER} silences all.
     */
    public static boolean wanted(Mail mail, MailAddress recipient, String event) {
        String notify = mail.recipientParameters(recipient).get("NOTIFY");
        if (notify == null) {
            return !event.equals("SUCCESS");
        }
        return List.of(notify.toUpperCase(Locale.ROOT).split(",")).contains(event);
    }

    /** How much of the original to return: the sender's RET (HDRS or FULL) when given, else {@code configured}. */
    public static Attachment returned(Mail mail, Attachment configured) {
        String ret = mail.mailParameters().getOrDefault("RET", "").toUpperCase(Locale.ROOT);
        return switch (ret) {
            case "HDRS" -> configured == Attachment.NONE ? Attachment.NONE : Attachment.HEADERS;
            case "FULL" -> configured == Attachment.NONE ? Attachment.NONE : Attachment.MESSAGE;
            default -> configured;
        };
    }

    /** RFC 3461 xtext: {@code +XX} stands for the byte of hex XX. */
    private static String xtextDecoded(String xtext) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+' && i + 2 < xtext.length()) {
                out.append((char) Integer.parseInt(xtext.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The report about {@code mail} for {@code to}.
     *
     * @param original how much of the original to include
     */
    public static MimeMessage of(MailetContext context, Mail mail, MailAddress to, List<Recipient> recipients,
                                 Attachment original) throws MessagingException {
        String host = context.serverHostname();
        boolean delayedOnly = recipients.stream().allMatch(r -> r.action() == Action.DELAYED);
        boolean successOnly = recipients.stream().allMatch(r -> r.action() == Action.RELAYED || r.action() == Action.DELIVERED);
        MimeMessage message = Messages.newNotice(context, to);
        message.setSubject(successOnly ? "Successful Mail Delivery Report" : delayedOnly
                ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender", "UTF-8");
        message.setSentDate(new Date());
        message.setHeader("Auto-Submitted", "auto-replied");
        String originalId = originalMessageId(mail);
        if (originalId != null) {
            message.setHeader("In-Reply-To", originalId);
            message.setHeader("References", originalId);
        }

        StringBuilder human = new StringBuilder()
                .append("This is the mail system at ").append(host).append(".\r\n\r\n");
        if (successOnly) {
            human.append("Your message was delivered to the following recipient(s), as you asked to be told;"
                    + " the servers beyond do not report delivery, so this is the last notice you get:\r\n\r\n");
        } else if (delayedOnly) {
            human.append("Your message could not be delivered yet to the following recipient(s); delivery is"
                    + " still being tried, you need not send it again:\r\n\r\n");
        } else {
            human.append("Your message could not be delivered to the following recipient(s):\r\n\r\n");
        }
        for (Recipient r : recipients) {
            human.append("  <").append(r.address()).append(">: ").append(oneLine(r.reason())).append("\r\n");
        }
        MimeBodyPart text = new MimeBodyPart();
        text.setText(human.toString(), "UTF-8", "plain");

        StringBuilder fields = new StringBuilder()
                .append("Reporting-MTA: dns; ").append(host).append("\r\n")
                .append("X-Postlet-Queue-ID: ").append(mail.name()).append("\r\n")
                .append("Arrival-Date: ").append(RFC_5322.format(mail.lastUpdated())).append("\r\n");
        String envid = mail.mailParameters().get("ENVID");
        if (envid != null && !envid.isEmpty()) {
            fields.insert(0, "Original-Envelope-Id: " + oneLine(xtextDecoded(envid)) + "\r\n");
        }
        for (Recipient r : recipients) {
            fields.append("\r\n");
            String orcpt = mail.recipientParameters(r.address()).get("ORCPT");
            if (orcpt != null && orcpt.indexOf(';') > 0) {
                fields.append("Original-Recipient: ").append(oneLine(orcpt.substring(0, orcpt.indexOf(';')))).append("; ")
                        .append(oneLine(xtextDecoded(orcpt.substring(orcpt.indexOf(';') + 1)))).append("\r\n");
            }
            fields.append("Final-Recipient: rfc822; ").append(r.address()).append("\r\n")
                    .append("Action: ").append(r.action().field()).append("\r\n")
                    .append("Status: ").append(r.status()).append("\r\n");
            r.remoteMta().ifPresent(m -> fields.append("Remote-MTA: dns; ").append(oneLine(m)).append("\r\n"));
            if (r.smtpReply().isPresent()) {
                fields.append("Diagnostic-Code: smtp; ").append(oneLine(r.smtpReply().get())).append("\r\n");
            } else {
                fields.append("Diagnostic-Code: X-Postlet; ").append(oneLine(r.reason())).append("\r\n");
            }
        }
        MimeBodyPart deliveryStatus = Attachment.raw(fields.toString().getBytes(StandardCharsets.UTF_8),
                "message/delivery-status");

        MimeMultipart report = new MimeMultipart("report");
        report.addBodyPart(text);
        report.addBodyPart(deliveryStatus);
        MimeBodyPart originalPart = original.part(mail);
        if (originalPart != null) {
            report.addBodyPart(originalPart);
        }
        message.setContent(report);
        // The content type needs report-type; setContent only knows the subtype.
        message.saveChanges();
        message.setHeader("Content-Type", report.getContentType() + ";\r\n\treport-type=delivery-status");
        return message;
    }

    private static String originalMessageId(Mail mail) {
        try {
            return mail.message().getHeader("Message-ID", null);
        } catch (MessagingException e) {
            return null; // an unreadable original still gets its report
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+\\s*", " ");
    }
}
