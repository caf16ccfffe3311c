package org.postlet.mailets.spam;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ParameterValues;
import org.postlet.mailets.Messages;

/**
 * Asks a running rspamd for its verdict ({@code POST /checkv2} on its normal worker, with the
 * envelope in request headers) and records it in {@code X-Spam-*} headers and attributes.
 */
@ComponentDoc(summary = "Asks a running rspamd (`POST /checkv2` on its normal worker) for a verdict on the message,"
        + " giving it the client address, HELO name, envelope sender, recipients and authenticated user. Sets the"
        + " headers `X-Spam-Flag: YES` or `NO` (YES for any action but `no action` and `greylist`), `X-Spam-Score:"
        + " <score> / <required>`, `X-Spam-Action:` and `X-Spam-Symbols:` (replacing any the message brought), and the"
        + " attributes `rspamd.action` and `rspamd.score`. An rspamd that cannot be reached or answers badly fails the"
        + " step: choose with `onMailetException` (`ignore` delivers unfiltered, the default `error` keeps the mail).",
        example = "{ match: \"not SMTPAuthSuccessful\", class: Rspamd, url: \"http://127.0.0.1:11333\", onMailetException: ignore }")
@MailetParameter(name = "url", description = "The base URL of rspamd's normal worker; default `http://127.0.0.1:11333`.",
        example = "http://127.0.0.1:11333")
@MailetParameter(name = "timeout", description = "How long to wait for the verdict; default `20s`.", example = "10s")
public final class Rspamd extends GenericMailet {

    /** The action rspamd chose. */
    public static final String ACTION = "rspamd.action";
    /** The score, as text. */
    public static final String SCORE = "rspamd.score";

    private RspamdClient rspamd;

    @Override
    public void init() throws MessagingException {
        String url = getInitParameter("url").orElse(RspamdClient.URL_EXAMPLE).strip();
        Duration timeout = ParameterValues.duration("Rspamd parameter 'timeout'", getInitParameter("timeout").orElse("20s"));
        try {
            rspamd = RspamdClient.of(url, timeout);
        } catch (IllegalArgumentException e) {
            throw new MailetException("Rspamd parameter 'url': " + e.getMessage() + " — write e.g. " + RspamdClient.URL_EXAMPLE, e);
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        RspamdClient.Query query = new RspamdClient.Query(mail.remoteAddress(), mail.heloName(), Optional.of(mail.remoteHost()),
                mail.sender().map(MailAddress::toString).orElse(""), mail.recipients().stream().map(MailAddress::toString).toList(),
                mail.authenticatedUser(), Optional.of(mail.name()));
        RspamdClient.Answer verdict;
        try {
            verdict = rspamd.ask(query, Messages.bytes(mail));
        } catch (RspamdClient.BadStatus e) {
            throw new MailetException(e.getMessage(), e);
        } catch (IOException e) {
            throw new MailetException("cannot ask rspamd at " + rspamd.uri() + ": " + e.getMessage()
                    + " — start rspamd, fix the url, or set onMailetException: ignore to deliver unfiltered", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailetException("interrupted while asking rspamd", e);
        }
        MimeMessage message = mail.message();
        message.setHeader("X-Spam-Flag", verdict.spam() ? "YES" : "NO");
        message.setHeader("X-Spam-Score", String.format(Locale.ROOT, "%.2f / %.2f", verdict.score(), verdict.requiredScore()));
        message.setHeader("X-Spam-Action", verdict.action());
        message.setHeader("X-Spam-Symbols", String.join(",\r\n\t", verdict.symbols()));
        mail.setAttribute(ACTION, verdict.action());
        mail.setAttribute(SCORE, String.format(Locale.ROOT, "%.2f", verdict.score()));
        getMailetContext().logger().info("{}: rspamd {} score {}", mail.name(), verdict.action(), verdict.score());
    }
}
