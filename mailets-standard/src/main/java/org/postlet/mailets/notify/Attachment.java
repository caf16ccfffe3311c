package org.postlet.mailets.notify;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.util.ByteArrayDataSource;
import jakarta.activation.DataHandler;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.Locale;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;
import org.postlet.mailets.Messages;

/** How much of the original message a notice carries, and the body parts that carry it. */
public enum Attachment {
    /** The whole original message, as {@code message/rfc822}. */
    MESSAGE,
    /** Only its header, as {@code text/rfc822-headers} (RFC 6522): smaller, and no content is repeated. */
    HEADERS,
    /** Nothing of the original. */
    NONE;

    /** Reads {@code message}, {@code headers} or {@code none}; {@code what} names the parameter in the error. */
    public static Attachment parse(String what, String text) throws MailetException {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MailetException(what + " is '" + text + "' — write message, headers or none");
        }
    }

    /** The part that carries the original, or null for {@link #NONE}. */
    public MimeBodyPart part(Mail mail) throws MessagingException {
        return switch (this) {
            case NONE -> null;
            case MESSAGE -> raw(Messages.bytes(mail), "message/rfc822");
            case HEADERS -> raw(headers(Messages.bytes(mail)), "text/rfc822-headers");
        };
    }

    /** A part holding bytes as they are: no charset guessing, no re-encoding. */
    static MimeBodyPart raw(byte[] bytes, String type) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes, type)));
        part.setHeader("Content-Type", type);
        return part;
    }

    private static byte[] headers(byte[] message) throws MessagingException {
        InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(message));
        StringBuilder out = new StringBuilder();
        for (Enumeration<String> lines = headers.getAllHeaderLines(); lines.hasMoreElements(); ) {
            out.append(lines.nextElement()).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
