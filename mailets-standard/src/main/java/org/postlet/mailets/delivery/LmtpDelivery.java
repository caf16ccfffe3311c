package org.postlet.mailets.delivery;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.TemporaryFailureException;

/**
 * Hands the mail to an LMTP server (RFC 2033), e.g. Dovecot's {@code lmtp} service, which files it
 * into the mailboxes it manages (with its Sieve filters and quotas). The server answers for each
 * recipient: 2xx delivered; 4xx that recipient is retried later (the others are not sent again);
 * 5xx that recipient failed for good and goes, like every mail a mailet fails on, to the step's
 * {@code onMailetException} processor ({@code error} by default), where the pipeline bounces or
 * keeps it. A connection that fails, or a server that refuses the whole transaction with a 4xx,
 * defers every recipient.
 *
 * <p>LMTP has no way to ask whether a mailbox already has a message, so a mail run again after a
 * crash between the server's reply and the end of its processing is delivered again.
 */
@ComponentDoc(summary = "Delivers the mail over LMTP (RFC 2033) to Dovecot's `lmtp` service or any LMTP server, over"
        + " TCP (`host`, `port`) or a Unix socket (`socket`), and ends it. The server answers per recipient: 2xx"
        + " delivered, 4xx that recipient is retried later (by `retry.*`), 5xx that recipient goes to the step's"
        + " `onMailetException` processor (`error` unless set) with the server's reply as its error. When the server"
        + " cannot be reached every recipient is retried. Addresses are sent as they are: the server maps them to"
        + " its users. A mail run again after a crash may be delivered twice (LMTP cannot tell). `bin/postlet"
        + " trace` sends nothing.",
        example = "{ match: RecipientIsLocal, class: LmtpDelivery, socket: /var/run/dovecot/lmtp }")
@MailetParameter(name = "host", description = "The LMTP server's host name or address. Default `127.0.0.1`.",
        example = "mail-store.example.test")
@MailetParameter(name = "port", description = "The LMTP server's TCP port. Default `24`.", example = "24")
@MailetParameter(name = "socket", description = "A Unix socket of the LMTP server instead of `host` and `port`.",
        example = "/var/run/dovecot/lmtp")
@MailetParameter(name = "timeout", description = "How long one delivery (connect, transaction, replies) may take"
        + " before it is given up and retried. Default `5m`.", example = "2m")
public final class LmtpDelivery extends GenericMailet {

    private final Meter delivered;
    private final Meter temporaryFailures;
    private final Meter permanentFailures;
    private LmtpSession.Endpoint endpoint;
    private Duration timeout;
    private ScheduledExecutorService watchdog;

    @Inject
    public LmtpDelivery(MetricRegistry metrics) {
        // The server's names for these (docs/operations.md), shared with LocalDelivery.
        this.delivered = metrics.meter("delivery.delivered");
        this.temporaryFailures = metrics.meter("delivery.failures.temporary");
        this.permanentFailures = metrics.meter("delivery.failures.permanent");
    }

    @Override
    public void init() throws MessagingException {
        String socket = getInitParameter("socket", "").strip();
        if (!socket.isEmpty()) {
            if (getInitParameter("host").isPresent() || getInitParameter("port").isPresent()) {
                throw new MailetException("LmtpDelivery takes either 'socket' or 'host' and 'port' — remove one of them");
            }
            endpoint = new LmtpSession.Endpoint.Unix(Path.of(socket));
        } else {
            String host = getInitParameter("host", "127.0.0.1").strip();
            String portText = getInitParameter("port", "24").strip();
            int port;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new MailetException("LmtpDelivery parameter 'port' is '" + portText + "' — write a TCP port, 1 to 65535");
            }
            endpoint = new LmtpSession.Endpoint.Tcp(host, port);
        }
        timeout = getDurationParameter("timeout", Duration.ofMinutes(5));
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lmtp-timeout");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        List<MailAddress> recipients = List.copyOf(mail.recipients());
        if (getMailetContext().dryRun()) {
            getMailetContext().logger().info("{}: would deliver over LMTP to {} for {}", mail.name(), endpoint, recipients);
            mail.setState(ProcessingState.GHOST);
            return;
        }
        Map<MailAddress, LmtpReply> replies = transaction(mail, recipients);
        List<MailAddress> retry = new ArrayList<>();
        List<MailAddress> failed = new ArrayList<>();
        StringBuilder retryWhy = new StringBuilder();
        StringBuilder failedWhy = new StringBuilder();
        for (MailAddress r : recipients) {
            LmtpReply reply = replies.get(r);
            if (reply.positive()) {
                delivered.mark();
                getMailetContext().logger().info("{}: delivered over LMTP to {} for {}: {}", mail.name(), endpoint, r, reply);
            } else if (reply.temporary()) {
                retry.add(r);
                retryWhy.append(retryWhy.isEmpty() ? "" : "; ").append(r).append(": ").append(reply);
            } else {
                failed.add(r);
                failedWhy.append(failedWhy.isEmpty() ? "" : "; ").append(r).append(": ").append(reply);
            }
        }
        temporaryFailures.mark(retry.size());
        permanentFailures.mark(failed.size());
        if (!failed.isEmpty() && !retry.isEmpty()) {
            // One mail cannot both wait and fail: the failed recipients go on as a mail of their own
            // into the error processor, made once even if this mail is run again.
            getMailetContext().logger().warn("{}: LMTP server {} refused {}; they go to error, {} are retried", mail.name(),
                    endpoint, failedWhy, retry);
            getMailetContext().sendMail(mail, mail.sender(), failed, mail.message(), ProcessingState.ERROR);
        }
        if (!retry.isEmpty()) {
            mail.setRecipients(retry);
            throw new TemporaryFailureException("LMTP server " + endpoint + " deferred " + retryWhy);
        }
        if (!failed.isEmpty()) {
            mail.setRecipients(failed);
            throw new MailetException("LMTP server " + endpoint + " refused " + failedWhy);
        }
        mail.setState(ProcessingState.GHOST);
    }

    /** One LMTP session: every recipient's reply, from RCPT or after DATA. */
    private Map<MailAddress, LmtpReply> transaction(Mail mail, List<MailAddress> recipients) throws MessagingException {
        Map<MailAddress, LmtpReply> replies = new LinkedHashMap<>();
        try (LmtpSession session = LmtpSession.open(endpoint, timeout, watchdog)) {
            List<String> extensions = session.lhlo(getMailetContext().serverHostname());
            session.mailFrom(mail.sender().map(MailAddress::toString).orElse(""),
                    extensions.contains("8BITMIME") ? " BODY=8BITMIME" : "");
            List<MailAddress> accepted = new ArrayList<>();
            for (MailAddress r : recipients) {
                LmtpReply reply = session.rcptTo(r.toString());
                if (reply.positive()) {
                    accepted.add(r);
                } else {
                    replies.put(r, reply);
                }
            }
            if (!accepted.isEmpty()) {
                List<LmtpReply> afterData = session.data(out -> {
                    try {
                        mail.writeMessageTo(out);
                    } catch (MessagingException e) {
                        throw new IOException("cannot write the message: " + e.getMessage(), e);
                    }
                }, accepted.size());
                for (int i = 0; i < accepted.size(); i++) {
                    replies.put(accepted.get(i), afterData.get(i));
                }
            }
            session.quit();
        } catch (IOException e) {
            throw new TemporaryFailureException("LMTP delivery to " + endpoint + " failed: " + e, e);
        } catch (LmtpSession.LmtpException e) {
            if (e.reply().temporary()) {
                throw new TemporaryFailureException(e.getMessage(), e);
            }
            throw new MailetException(e.getMessage(), e);
        }
        return replies;
    }

    @Override
    public void destroy() {
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
    }
}
