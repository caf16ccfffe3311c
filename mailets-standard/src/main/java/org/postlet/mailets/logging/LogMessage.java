package org.postlet.mailets.logging;

import jakarta.mail.MessagingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.slf4j.event.Level;

/**
 * Logs one line per mail: queue id, sender, recipients, size, client and, if asked, headers and
 * the start of the body. The mail goes on unchanged.
 */
@ComponentDoc(summary = "Logs one line per mail — queue id, sender, recipients, size, client, HELO name — or the"
        + " `template`, followed by the chosen headers and, if asked, the start of the body. The mail goes on"
        + " unchanged. Headers and body preview parse the message, so neither is logged by default.",
        example = "{ match: All, class: LogMessage, level: info, headers: \"Subject, Message-ID\", bodyPreview: 80 }")
@MailetParameter(name = "level", description = "`trace`, `debug`, `info` (default), `warn` or `error`.", example = "warn")
@MailetParameter(name = "headers", description = "A comma-separated list of headers to log.", example = "Subject, Message-ID")
@MailetParameter(name = "bodyPreview", description = "How many bytes of the body to log, as a size (`0`, the default,"
        + " logs none); line breaks become spaces.", example = "200")
@MailetParameter(name = "template", description = "The line to log instead of the standard one, with placeholders"
        + " `{id}`, `{sender}`, `{recipients}`, `{size}`, `{client}`, `{helo}`, `{state}`, `{user}`, `{error}`.",
        example = "{id} from {sender} via {client}")
public final class LogMessage extends GenericMailet {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    private static final Set<String> PLACEHOLDERS = Set.of("id", "sender", "recipients", "size", "client", "helo", "state",
            "user", "error");
    /** A preview is for a glance in the log, not for copying messages into it. */
    private static final long MAX_PREVIEW = 64 * 1024;

    private Level level;
    private List<String> headers;
    private int bodyPreview;
    private Optional<String> template;

    @Override
    public void init() throws MessagingException {
        String l = getInitParameter("level", "info");
        try {
            level = Level.valueOf(l.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MailetException("LogMessage parameter 'level' is '" + l + "' — write trace, debug, info, warn or error");
        }
        headers = new ArrayList<>();
        for (String h : getInitParameter("headers", "").split(",")) {
            if (!h.isBlank()) {
                headers.add(h.strip());
            }
        }
        long preview = getSizeParameter("bodyPreview", 0);
        if (preview > MAX_PREVIEW) {
            throw new MailetException("LogMessage parameter 'bodyPreview' is " + preview + " bytes — write at most 64k");
        }
        bodyPreview = (int) preview;
        template = getInitParameter("template").filter(t -> !t.isBlank());
        if (template.isPresent()) {
            Matcher m = PLACEHOLDER.matcher(template.get());
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group(1))) {
                    throw new MailetException("LogMessage parameter 'template' has an unknown placeholder {" + m.group(1)
                            + "} — use " + String.join(", ", PLACEHOLDERS.stream().sorted().map(p -> "{" + p + "}").toList()));
                }
            }
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        StringBuilder line = new StringBuilder(160);
        if (template.isPresent()) {
            Matcher m = PLACEHOLDER.matcher(template.get());
            while (m.find()) {
                m.appendReplacement(line, Matcher.quoteReplacement(value(mail, m.group(1))));
            }
            m.appendTail(line);
        } else {
            line.append(mail.name())
                    .append(": from=").append(value(mail, "sender"))
                    .append(" to=").append(mail.recipients())
                    .append(" size=").append(mail.size())
                    .append(" client=").append(mail.remoteAddress())
                    .append(" helo=").append(mail.heloName());
        }
        for (String h : headers) {
            String value = mail.message().getHeader(h, ", ");
            line.append(' ').append(h).append("=\"").append(value == null ? "" : oneLine(value)).append('"');
        }
        if (bodyPreview > 0) {
            line.append(" body=\"").append(oneLine(preview(mail))).append('"');
        }
        getMailetContext().logger().atLevel(level).log(line.toString());
    }

    private static String value(Mail mail, String placeholder) {
        return switch (placeholder) {
            case "id" -> mail.name();
            case "sender" -> mail.sender().map(MailAddress::toPath).orElse("<>");
            case "recipients" -> mail.recipients().toString();
            case "size" -> Long.toString(mail.size());
            case "client" -> mail.remoteAddress();
            case "helo" -> mail.heloName();
            case "state" -> mail.state().name();
            case "user" -> mail.authenticatedUser().orElse("-");
            case "error" -> mail.errorMessage().orElse("-");
            default -> throw new IllegalStateException("placeholder checked in init: " + placeholder);
        };
    }

    /** The first bytes of the body as sent (transfer encoding not undone), decoded leniently as UTF-8. */
    private String preview(Mail mail) throws MessagingException {
        try (InputStream in = mail.message().getRawInputStream()) {
            byte[] bytes = in.readNBytes(bodyPreview);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MailetException("cannot read the body of " + mail.name() + ": " + e.getMessage(), e);
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+\\s*", " ").strip();
    }
}
