package org.postlet.mailets.headers;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimePart;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailets.Messages;

/** Appends a footer to the text of the message, in plain text and HTML, keeping its structure. */
@ComponentDoc(summary = "Appends a footer to the body: to a `text/plain` body as text, to a `text/html` body before"
        + " `</body>`, to both alternatives of a `multipart/alternative`, and to the first body of a"
        + " `multipart/mixed` or `related`. Attachments and the MIME structure stay as they are; signed or"
        + " encrypted messages are left unchanged (a footer would break the signature). The Message-ID is kept.",
        example = "{ match: \"RecipientDomainIs=lists.example.test\", class: AddFooter, text: \"-- \\nSent through lists.example.test\" }")
@MailetParameter(name = "text", required = true, description = "The footer for plain text; `\\n` starts a new line.",
        example = "-- \\nSent through lists.example.test")
@MailetParameter(name = "html", description = "The footer for HTML bodies, as HTML. Default: `text`, escaped, with"
        + " line breaks kept.", example = "<p>Sent through <b>lists.example.test</b></p>")
public final class AddFooter extends GenericMailet {

    private static final int MAX_DEPTH = 20;

    private String text;
    private String html;

    @Override
    public void init() throws MessagingException {
        text = getRequiredParameter("text").replace("\\n", "\n");
        html = getInitParameter("html").filter(h -> !h.isBlank())
                .orElseGet(() -> "<div>" + escape(text).replace("\n", "<br>\n") + "</div>");
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (attach(mail.message(), 0)) {
            Messages.saveKeepingMessageId(mail.message());
        } else {
            getMailetContext().logger().info("{}: no text body to add a footer to", mail.name());
        }
    }

    /** Adds the footer where it belongs in this part; whether it did. */
    private boolean attach(Part part, int depth) throws MessagingException {
        if (depth > MAX_DEPTH || Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
            return false;
        }
        if (part.isMimeType("text/plain")) {
            String body = content(part);
            setText(part, body + (body.isEmpty() || body.endsWith("\n") ? "" : "\n") + text + "\n", "plain");
            return true;
        }
        if (part.isMimeType("text/html")) {
            String body = content(part);
            int end = body.toLowerCase(Locale.ROOT).lastIndexOf("</body>");
            setText(part, end < 0 ? body + html : body.substring(0, end) + html + body.substring(end), "html");
            return true;
        }
        if (part.isMimeType("multipart/signed") || part.isMimeType("multipart/encrypted")) {
            return false;
        }
        if (part.isMimeType("multipart/*") && multipart(part).isPresent()) {
            Multipart mp = multipart(part).get();
            boolean alternative = part.isMimeType("multipart/alternative");
            boolean done = false;
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart child = mp.getBodyPart(i);
                done |= attach(child, depth + 1);
                if (done && !alternative) {
                    break; // mixed/related: the first body only, never attachments or inline images
                }
            }
            return done;
        }
        return false;
    }

    private static Optional<Multipart> multipart(Part part) throws MessagingException {
        try {
            return part.getContent() instanceof Multipart mp ? Optional.of(mp) : Optional.empty();
        } catch (IOException e) {
            throw new MailetException("cannot read the multipart body: " + e.getMessage(), e);
        }
    }

    private static String content(Part part) throws MessagingException {
        try {
            Object c = part.getContent();
            return c instanceof String s ? s : "";
        } catch (IOException e) {
            throw new MailetException("cannot read the text body: " + e.getMessage(), e);
        }
    }

    private static void setText(Part part, String body, String subtype) throws MessagingException {
        if (part instanceof MimePart mp) {
            mp.setText(body, "UTF-8", subtype);
        } else {
            part.setContent(body, "text/" + subtype + "; charset=UTF-8");
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
