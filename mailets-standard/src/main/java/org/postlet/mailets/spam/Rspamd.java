package org.postlet.mailets.spam;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
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

    private URI check;
    private Duration timeout;
    private HttpClient client;

    @Override
    public void init() throws MessagingException {
        String url = getInitParameter("url").orElse("http://127.0.0.1:11333").strip();
        try {
            check = URI.create(url.endsWith("/") ? url + "checkv2" : url + "/checkv2");
        } catch (IllegalArgumentException e) {
            throw new MailetException("Rspamd parameter 'url': '" + url + "' is not a URL — write e.g. http://127.0.0.1:11333", e);
        }
        if (!"http".equals(check.getScheme()) && !"https".equals(check.getScheme())) {
            throw new MailetException("Rspamd parameter 'url': '" + url + "' is not an http URL — write e.g. http://127.0.0.1:11333");
        }
        timeout = ParameterValues.duration("Rspamd parameter 'timeout'", getInitParameter("timeout").orElse("20s"));
        // HTTP/1.1: rspamd does not speak HTTP/2, and an h2c upgrade offer on a POST confuses it.
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        HttpRequest.Builder request = HttpRequest.newBuilder(check).timeout(timeout)
                .header("IP", mail.remoteAddress())
                .header("Helo", mail.heloName())
                .header("Hostname", mail.remoteHost())
                .header("Queue-Id", mail.name())
                .header("From", mail.sender().map(MailAddress::toString).orElse(""));
        for (MailAddress r : mail.recipients()) {
            request.header("Rcpt", r.toString());
        }
        mail.authenticatedUser().ifPresent(u -> request.header("User", u));
        RspamdVerdict verdict;
        try {
            HttpResponse<byte[]> response = client.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(Messages.bytes(mail))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new MailetException("rspamd at " + check + " answered HTTP " + response.statusCode());
            }
            verdict = RspamdVerdict.parse(response.body());
        } catch (IOException e) {
            throw new MailetException("cannot ask rspamd at " + check + ": " + e.getMessage()
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
