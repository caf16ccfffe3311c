package org.postlet.mailets;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.util.Properties;
import java.util.UUID;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetContext;
import org.postlet.mailet.MailetException;

/** Helpers for mailets that change messages or make new ones. */
public final class Messages {

    private Messages() {
    }

    /** Header names are printable ASCII without colon or space (RFC 5322 §2.2). */
    public static void checkHeaderName(String what, String name) throws MailetException {
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
            throw new MailetException(what + " is '" + name + "', not a header name — write e.g. X-Processed-By");
        }
    }

    /** A header value must not contain line breaks: they would start a header of the sender's choosing. */
    public static void checkHeaderValue(String what, String value) throws MailetException {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new MailetException(what + " contains a line break — write the value on one line");
        }
    }

    /**
     * Writes the changes to a message's content into its headers so the server stores the new
     * message, keeping its {@code Message-ID}: {@link MimeMessage#saveChanges()} alone would give it a
     * new one, and a changed Message-ID breaks threading and duplicate detection in mail clients.
     */
    public static void saveKeepingMessageId(MimeMessage message) throws MessagingException {
        String[] id = message.getHeader("Message-ID");
        message.saveChanges();
        if (id != null && id.length > 0) {
            message.setHeader("Message-ID", id[0]);
        }
    }

    /** The message's bytes exactly as stored (no re-encoding when it was not changed). */
    public static byte[] bytes(Mail mail) throws MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(mail.size(), 1024), 64 << 20));
        try {
            mail.writeMessageTo(out);
        } catch (IOException e) {
            throw new MailetException("cannot read the message of " + mail.name() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** A copy of the mail's message, parsed from its stored bytes, for sending as a new mail. */
    public static MimeMessage copy(Mail mail, MailetContext context) throws MessagingException {
        return new MimeMessage(session(), new ByteArrayInputStream(bytes(mail)));
    }

    /**
     * A new, empty message whose {@code Message-ID} names this server, e.g.
     * {@code <6f1c…@mx.example.test>}, rather than the JVM's guess at the host name.
     */
    public static MimeMessage newMessage(MailetContext context) {
        String host = context.serverHostname();
        return new MimeMessage(session()) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", "<" + UUID.randomUUID() + "@" + host + ">");
            }
        };
    }

    /**
     * A new message from this server's mail system ({@code mailer-daemon@<hostname>}, "Mail
     * Delivery System") to {@code to}: the start of every bounce and notice.
     */
    public static MimeMessage newNotice(MailetContext context, org.postlet.mailet.MailAddress to) throws MessagingException {
        MimeMessage message = newMessage(context);
        try {
            message.setFrom(new jakarta.mail.internet.InternetAddress("mailer-daemon@" + context.serverHostname(),
                    "Mail Delivery System", "UTF-8"));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, to.toString());
        return message;
    }

    private static Session session() {
        return Session.getInstance(new Properties());
    }
}
