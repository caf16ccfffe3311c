package org.postlet.mailets.delivery;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimePart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Re-encodes the 8-bit parts of a message for a server that does not take 8-bit data (no
 * 8BITMIME, RFC 6152 §3): text as quoted-printable, anything else as base64. The content is the
 * same once decoded; only the transfer encoding changes.
 */
final class SevenBit {

    private SevenBit() {
    }

    /** Changes {@code message} in place; returns whether anything was re-encoded. */
    static boolean encode(MimeMessage message) throws MessagingException, IOException {
        boolean changed = encodePart(message);
        if (changed) {
            String[] id = message.getHeader("Message-ID");
            message.saveChanges();
            if (id != null && id.length > 0) {
                message.setHeader("Message-ID", id[0]);
            }
        }
        return changed;
    }

    private static boolean encodePart(MimePart part) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            boolean changed = false;
            for (int i = 0; i < multipart.getCount(); i++) {
                changed |= encodePart((MimePart) multipart.getBodyPart(i));
            }
            if (changed) {
                part.setContent(multipart);
            }
            return changed;
        }
        String encoding = part.getEncoding() == null ? "7bit" : part.getEncoding().toLowerCase(Locale.ROOT);
        if (!encoding.equals("8bit") && !encoding.equals("binary") && !(encoding.equals("7bit") && eightBit(part))) {
            return false;
        }
        byte[] decoded;
        try (InputStream in = part.getInputStream()) {
            decoded = in.readAllBytes();
        }
        String type = part.getContentType();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(decoded, type)));
        part.setHeader("Content-Type", type);
        part.setHeader("Content-Transfer-Encoding", part.isMimeType("text/*") ? "quoted-printable" : "base64");
        return true;
    }

    /** A part that claims 7bit (or says nothing) but has 8-bit bytes, as many mailers send. */
    private static boolean eightBit(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            int b;
            while ((b = in.read()) >= 0) {
                if (b >= 0x80) {
                    return true;
                }
            }
        }
        return false;
    }
}
