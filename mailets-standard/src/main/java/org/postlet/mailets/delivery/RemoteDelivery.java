package org.postlet.mailets.delivery;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.TemporaryFailureException;
import org.postlet.mailets.Messages;
import org.postlet.mailets.notify.Attachment;
import org.postlet.mailets.repository.ConfigDirectory;
import org.postlet.mailets.notify.DeliveryStatusReport;
import org.postlet.outbound.RecipientResult;
import org.postlet.outbound.RecipientResult.Outcome;
import org.postlet.outbound.RemoteTransport;
import org.postlet.outbound.SentRecipients;
import org.postlet.outbound.SentRecipients.Fate;
import org.postlet.outbound.TransportSettings;
import org.postlet.outbound.client.Login;
import org.postlet.outbound.client.OutboundMessage;
import org.postlet.outbound.client.TlsPolicy;
import org.postlet.dns.DnsResolver;
import org.postlet.outbound.policy.TlsRules;
import org.postlet.outbound.policy.TlsTable;
import org.postlet.outbound.policy.TlsTableException;
import org.postlet.outbound.route.Hop;
import org.postlet.outbound.route.Router;
import org.postlet.outbound.route.Self;
import org.postlet.outbound.sts.MtaSts;

/**
 * Delivers the mail over SMTP to the servers of its recipients' domains (or to a gateway) and
 * ends it. Each recipient's fate is the remote's reply: 2xx done, 4xx tried again later (that
 * recipient only, through the server's retries), 5xx failed; failed recipients, and deferred ones
 * on the last attempt before the retry time runs out, get their sender an RFC 3464 report from
 * {@code <>}. Recipients already accepted by a remote, or already reported, are recorded durably
 * under the message's key and never sent again, across retries and crashes.
 */
@ComponentDoc(summary = "Delivers the mail over SMTP to the mail servers of its recipients' domains: MX hosts by"
        + " preference (random among equal ones; the next when one cannot be reached or refuses to talk), the"
        + " domain's own address without MX; a null MX, a domain that does not exist or an MX that is this server"
        + " fail at once. Per recipient: 2xx delivered, 4xx tried again later (`retry.*` in postlet.yaml; only that"
        + " recipient), 5xx failed. Failures, and temporary failures still there when the retry time runs out,"
        + " send the envelope sender an RFC 3464 delivery status notification from `<>` (never to `<>`) with the"
        + " remote's reply as `Diagnostic-Code`. The sender's DSN request (`NOTIFY`, `RET`, `ENVID`, `ORCPT`) is"
        + " honoured and passed on to a remote that offers DSN; `NOTIFY=SUCCESS` to one that does not gives a"
        + " `relayed` notice. EHLO (HELO when refused), PIPELINING, SIZE (a message over the remote's limit fails"
        + " without being sent), STARTTLS, CHUNKING (the message in `BDAT` chunks of up to 1 MiB), 8-bit content"
        + " re-encoded for a remote without 8BITMIME, SMTPUTF8 required for non-ASCII addresses. Every line leaves"
        + " with CRLF (and dot-stuffed after DATA), so no bare CR or LF can smuggle a second message. A recipient is"
        + " delivered once, across retries and crashes (recorded under `remote-done/` in the spool). MTA-STS (RFC"
        + " 8461) is honoured for the MX hosts of domains that publish a policy (`mtaSts`), and `tlsPolicies` sets"
        + " the TLS per destination; which wins: the `tlsPolicies` entry, else an MTA-STS policy in mode enforce,"
        + " else `tls` (operations.md, Outbound TLS). `bin/postlet trace` sends nothing.",
        example = "{ match: All, class: RemoteDelivery }")
@MailetParameter(name = "port", description = "The port of every MX host. Default `25`.", example = "25")
@MailetParameter(name = "gateway", description = "`host[:port]` of a smarthost that takes all mail instead of the"
        + " MX hosts (port default 25).", example = "smtp.provider.example:587")
@MailetParameter(name = "gatewayCredentials", description = "A file (relative to the configuration folder) whose"
        + " first line is `user:password` for SMTP AUTH (PLAIN, else LOGIN) at the `gateway`; sent only over TLS, so"
        + " a gateway without STARTTLS gets no mail (it waits). Make the file readable only by the server's user.",
        example = "gateway.credentials")
@MailetParameter(name = "tls", description = "STARTTLS: `may` (default: when offered, certificate not checked),"
        + " `encrypt` (required, not checked; a host without it gets no mail, which waits), `verify` (required,"
        + " certificate must be valid for the host name and trusted by the JVM), `none`. The default for every"
        + " destination that neither `tlsPolicies` lists nor an MTA-STS policy in mode enforce covers; with a"
        + " `gateway`, the policy of the connection to it.", example = "encrypt")
@MailetParameter(name = "tlsPolicies", description = "A file (relative to the configuration folder) with the TLS"
        + " policy per destination domain, one `domain policy` line each (policy as for `tls`): `bank.example verify`"
        + " for that domain, `.example.org encrypt` for all its subdomains (not example.org itself), `#` comments. The"
        + " most specific line wins, over MTA-STS and over `tls`. A wrong line stops the start with"
        + " `FILE:LINE: problem — fix`. Not with a `gateway` (write its policy in `tls`); read at start and reload.",
        example = "tls-policies")
@MailetParameter(name = "mtaSts", description = "`on` (default) or `off`: honour the MTA-STS policies (RFC 8461) of"
        + " recipient domains. A domain's TXT record `_mta-sts.<domain>` is asked before delivery (through"
        + " `dns.resolvers`), its policy fetched from `https://mta-sts.<domain>/.well-known/mta-sts.txt` (certificate"
        + " checked, no redirects, 64 KiB at most) and cached for its `max_age`, also on disk (`mta-sts/` in the"
        + " spool). Mode `enforce`: only the MX hosts the policy names, only over STARTTLS with a certificate valid"
        + " for the MX host name, else the mail waits (deferred, never bounced at once, never sent in plain text);"
        + " `testing`: delivered as without a policy, with a WARN line saying what would have failed. Never for a"
        + " `gateway`.", example = "off")
@MailetParameter(name = "connectionsPerDomain", description = "How many deliveries to one domain (or the gateway)"
        + " may run at once; the others wait for a free slot up to `connectTimeout`, then are deferred. Default `10`.",
        example = "10")
@MailetParameter(name = "connectTimeout", description = "The longest wait for a connection. Default `30s`.",
        example = "30s")
@MailetParameter(name = "replyTimeout", description = "The longest wait for one reply of the remote. Default `5m`.",
        example = "5m")
@MailetParameter(name = "attachment", description = "What of the original the report to the sender carries:"
        + " `message` (default), `headers` or `none`.", example = "headers")
@MailetParameter(name = "delayNotice", description = "Tell the sender once (RFC 3464 `Action: delayed`, honouring"
        + " NOTIFY) when a recipient has failed temporarily for this long and is still being tried, e.g. `4h`;"
        + " default: no delay notices.", example = "4h")
@MailetParameter(name = "bounceProcessor", description = "Instead of reporting failures itself, send the failed"
        + " recipients (one mail per SMTP reply code) to this processor, with the mail attributes"
        + " `postlet.remoteDelivery.smtpCode`, `.error` and `.permanent` for the matchers"
        + " `RemoteDeliveryFailedWithSMTPCode`, `IsRemoteDeliveryPermanentError` and"
        + " `IsRemoteDeliveryTemporaryError`.", example = "remote-failure")
public final class RemoteDelivery extends GenericMailet {

    /** The last SMTP reply code a remote gave for this mail (an {@code Integer}), when one did. */
    public static final String SMTP_CODE = "postlet.remoteDelivery.smtpCode";
    /** The last error of this mail's delivery, in words (a {@code String}). */
    public static final String ERROR = "postlet.remoteDelivery.error";
    /**
     * Whether the last failure was permanent (a {@code Boolean}): {@code false} for a temporary one,
     * also when RemoteDelivery gave up on it after its retries.
     */
    public static final String PERMANENT = "postlet.remoteDelivery.permanent";

    private final DnsResolver dns;
    private final MtaSts mtaSts;
    private final Self self;
    private final SentRecipients done;
    private final Clock clock;
    private final Path configDirectory;
    // The server's names for these (docs/operations.md); kept in step with its ServerMetric list.
    private final Meter delivered;
    private final Meter deferred;
    private final Meter failed;
    private final DestinationMeters destinations;
    private RemoteTransport transport;
    private Attachment attachment;
    private Optional<ProcessingState> bounceProcessor;
    private Optional<Duration> delayNotice;

    @Inject
    public RemoteDelivery(DnsResolver dns, MtaSts mtaSts, Self self, SentRecipients done, MetricRegistry metrics,
                          Clock clock, @ConfigDirectory Path configDirectory) {
        this.dns = dns;
        this.mtaSts = mtaSts;
        this.configDirectory = configDirectory;
        this.clock = clock;
        this.self = self;
        this.done = done;
        this.delivered = metrics.meter("remote.delivered");
        this.deferred = metrics.meter("remote.deferred");
        this.failed = metrics.meter("remote.failed");
        this.destinations = new DestinationMeters(metrics);
    }

    @Override
    public void init() throws MessagingException {
        int port = integer("port", 25);
        Optional<Hop> gateway;
        try {
            gateway = getInitParameter("gateway").map(String::strip).filter(g -> !g.isEmpty()).map(g -> Hop.parse(g, 25));
        } catch (IllegalArgumentException e) {
            throw new MailetException("RemoteDelivery parameter 'gateway': " + e.getMessage() + " — write " + Hop.FORMAT);
        }
        String tlsText = getInitParameter("tls", "may").strip();
        TlsPolicy tls;
        try {
            tls = TlsPolicy.valueOf(tlsText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MailetException("RemoteDelivery parameter 'tls' is '" + tlsText + "' — write none, may, encrypt or verify");
        }
        int connections = integer("connectionsPerDomain", 10);
        Duration connectTimeout = getDurationParameter("connectTimeout", Duration.ofSeconds(30));
        Duration replyTimeout = getDurationParameter("replyTimeout", Duration.ofMinutes(5));
        attachment = Attachment.parse("RemoteDelivery parameter 'attachment'", getInitParameter("attachment", "message"));
        delayNotice = getInitParameter("delayNotice").map(String::strip).filter(d -> !d.isEmpty()).isPresent()
                ? Optional.of(getDurationParameter("delayNotice", Duration.ZERO)) : Optional.empty();
        bounceProcessor = getInitParameter("bounceProcessor").map(String::strip).filter(p -> !p.isEmpty())
                .map(ProcessingState::new);
        if (port < 1 || port > 65535 || connections < 1) {
            throw new MailetException("RemoteDelivery: port must be 1 to 65535 and connectionsPerDomain at least 1");
        }
        Optional<Login> login = gatewayLogin();
        if (login.isPresent() && (gateway.isEmpty() || tls == TlsPolicy.NONE)) {
            throw new MailetException("RemoteDelivery parameter 'gatewayCredentials' needs a 'gateway' and TLS (tls: may,"
                    + " encrypt or verify): the password is sent only to the gateway, only over TLS");
        }
        TlsTable table = tlsTable();
        if (!table.isEmpty() && gateway.isPresent()) {
            throw new MailetException("RemoteDelivery parameter 'tlsPolicies' is for the MX hosts of each domain, but with"
                    + " a 'gateway' all mail goes to the gateway — remove 'tlsPolicies' and set the gateway's policy in 'tls'");
        }
        String stsText = getInitParameter("mtaSts", "on").strip();
        if (!stsText.equals("on") && !stsText.equals("off")) {
            throw new MailetException("RemoteDelivery parameter 'mtaSts' is '" + stsText + "' — write on or off");
        }
        TlsRules rules = new TlsRules(table, stsText.equals("on") ? Optional.of(mtaSts) : Optional.empty());
        transport = new RemoteTransport(new Router(dns, port, gateway, new Random()), self,
                new TransportSettings(getMailetContext().serverHostname(), tls, connectTimeout, replyTimeout, connections,
                        login), rules);
    }

    /** The {@code tlsPolicies} table, empty when the step names none. */
    private TlsTable tlsTable() throws MailetException {
        Optional<String> name = getInitParameter("tlsPolicies").map(String::strip).filter(n -> !n.isEmpty());
        if (name.isEmpty()) {
            return TlsTable.EMPTY;
        }
        Path file = configDirectory.resolve(name.get());
        try {
            return TlsTable.read(file);
        } catch (IOException e) {
            throw new MailetException("RemoteDelivery parameter 'tlsPolicies': cannot read " + file + " (" + e.getMessage()
                    + ") — create it with one 'domain policy' line per destination, e.g. 'bank.example verify'");
        } catch (TlsTableException e) {
            throw new MailetException("RemoteDelivery parameter 'tlsPolicies': " + e.getMessage());
        }
    }

    /** The first {@code user:password} line of the {@code gatewayCredentials} file, if the step names one. */
    private Optional<Login> gatewayLogin() throws MailetException {
        Optional<String> name = getInitParameter("gatewayCredentials").map(String::strip).filter(n -> !n.isEmpty());
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Path file = configDirectory.resolve(name.get());
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MailetException("RemoteDelivery parameter 'gatewayCredentials': cannot read " + file + " ("
                    + e.getMessage() + ") — create it with one line user:password, readable only by the server's user");
        }
        for (String line : lines) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new MailetException("RemoteDelivery parameter 'gatewayCredentials': " + file
                        + " has no user:password line — write one, e.g. relay-user@example.test:the-password");
            }
            return Optional.of(new Login(l.substring(0, colon), l.substring(colon + 1)));
        }
        throw new MailetException("RemoteDelivery parameter 'gatewayCredentials': " + file + " is empty — write one line"
                + " user:password");
    }

    /** Closes the connections kept open for reuse. */
    @Override
    public void destroy() {
        if (transport != null) {
            transport.close();
        }
    }

    private int integer(String name, int def) throws MailetException {
        String text = getInitParameter(name, Integer.toString(def)).strip();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new MailetException("RemoteDelivery parameter '" + name + "' is '" + text + "', not a number");
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (getMailetContext().dryRun()) {
            getMailetContext().logger().info("{}: would deliver over SMTP to {}", mail.name(), mail.recipients());
            mail.setState(ProcessingState.GHOST);
            return;
        }
        Map<String, Fate> earlier = earlierFates(mail);
        Map<String, List<MailAddress>> byDomain = new LinkedHashMap<>();
        for (MailAddress r : mail.recipients()) {
            Fate fate = earlier.get(r.toString());
            if (fate != null && fate.finished()) {
                getMailetContext().logger().info("{}: to=<{}> already {} before; not again", mail.name(), r,
                        fate == Fate.SENT ? "delivered" : "reported as failed");
                continue;
            }
            byDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(r);
        }
        boolean eightBit = eightBit(mail);
        List<MailAddress> toRetry = new ArrayList<>();
        List<Failure> toReport = new ArrayList<>();
        List<DeliveryStatusReport.Recipient> relayed = new ArrayList<>();
        List<DeliveryStatusReport.Recipient> delayed = new ArrayList<>();
        RecipientResult last = null;
        for (Map.Entry<String, List<MailAddress>> domain : byDomain.entrySet()) {
            List<RecipientResult> results = deliver(mail, domain.getKey(), domain.getValue(), eightBit);
            for (int i = 0; i < results.size(); i++) {
                RecipientResult result = results.get(i);
                MailAddress recipient = domain.getValue().get(i);
                log(mail, result);
                // A deferral on the last attempt counts as failed, as in remote.failed.
                destinations.meter(domain.getKey(), result.outcome() == Outcome.DEFERRED && mail.lastAttempt()
                        ? Outcome.FAILED : result.outcome()).mark();
                switch (result.outcome()) {
                    case DELIVERED -> {
                        delivered.mark();
                        // RFC 3461 §6.2.1: a remote without DSN cannot report success; we say "relayed".
                        if (!result.dsnPassedOn() && DeliveryStatusReport.wanted(mail, recipient, "SUCCESS")) {
                            relayed.add(new DeliveryStatusReport.Recipient(recipient, DeliveryStatusReport.Action.RELAYED,
                                    result.status(), remoteHost(result),
                                    result.reply().map(Object::toString), "relayed to a server that does not report delivery"));
                        }
                    }
                    case DEFERRED -> {
                        last = result;
                        if (mail.lastAttempt()) {
                            failed.mark();
                            toReport.add(new Failure(recipient, result, "gave up after trying since "
                                    + mail.failingSince().map(Object::toString).orElse("the first attempt") + ": "
                                    + result.diagnostic()));
                        } else {
                            deferred.mark();
                            toRetry.add(recipient);
                            if (delayNoticeDue(mail, recipient, earlier)) {
                                delayed.add(new DeliveryStatusReport.Recipient(recipient, DeliveryStatusReport.Action.DELAYED,
                                        result.status(), remoteHost(result),
                                        result.reply().map(Object::toString), "still trying since "
                                        + mail.failingSince().orElseThrow() + ": " + result.diagnostic()));
                            }
                        }
                    }
                    case FAILED -> {
                        last = result;
                        failed.mark();
                        toReport.add(new Failure(recipient, result, result.diagnostic()));
                    }
                }
            }
        }
        if (last != null) {
            attributes(last).forEach(mail::setAttribute);
            if (last.reply().isEmpty()) {
                mail.removeAttribute(SMTP_CODE);
            }
        }
        if (!toReport.isEmpty()) {
            if (bounceProcessor.isPresent()) {
                handOver(mail, toReport, bounceProcessor.get());
            } else {
                notifySender(mail, toReport);
            }
            record(mail, Fate.REPORTED, toReport.stream().map(f -> f.recipient().toString()).toList());
        }
        if (!relayed.isEmpty() && mail.sender().isPresent()) {
            getMailetContext().sendMail(Optional.empty(), List.of(mail.sender().get()), DeliveryStatusReport.of(
                    getMailetContext(), mail, mail.sender().get(), relayed, Attachment.HEADERS), ProcessingState.ROOT);
        }
        if (!delayed.isEmpty() && mail.sender().isPresent()) {
            getMailetContext().sendMail(Optional.empty(), List.of(mail.sender().get()), DeliveryStatusReport.of(
                    getMailetContext(), mail, mail.sender().get(), delayed, Attachment.HEADERS), ProcessingState.ROOT);
            record(mail, Fate.DELAYED, delayed.stream().map(d -> d.address().toString()).toList());
            getMailetContext().logger().info("{}: sender delay notification to {} for {}", mail.name(), mail.sender().get(),
                    delayed.stream().map(DeliveryStatusReport.Recipient::address).toList());
        }
        if (!toRetry.isEmpty()) {
            mail.setRecipients(toRetry);
            throw new TemporaryFailureException("remote delivery to " + toRetry + " failed temporarily: "
                    + (last == null ? "" : last.diagnostic()));
        }
        mail.setState(ProcessingState.GHOST);
    }

    /** Once per recipient, when it has failed temporarily for {@code delayNotice} and its NOTIFY allows DELAY. */
    private boolean delayNoticeDue(Mail mail, MailAddress recipient, Map<String, Fate> earlier) {
        return delayNotice.isPresent() && mail.failingSince().isPresent()
                && Duration.between(mail.failingSince().get(), clock.instant()).compareTo(delayNotice.get()) >= 0
                && earlier.get(recipient.toString()) != Fate.DELAYED
                && DeliveryStatusReport.wanted(mail, recipient, "DELAY");
    }

    private Map<String, Fate> earlierFates(Mail mail) throws TemporaryFailureException {
        if (!mail.possiblyRedelivered()) {
            return Map.of();
        }
        try {
            return done.done(mail.messageKey());
        } catch (IOException e) {
            // Without the record, sending could repeat a delivery: wait until it can be read.
            throw new TemporaryFailureException("cannot read which recipients of " + mail.messageKey()
                    + " were delivered already: " + e.getMessage(), e);
        }
    }

    private List<RecipientResult> deliver(Mail mail, String domain, List<MailAddress> recipients, boolean eightBit)
            throws TemporaryFailureException {
        String sender = mail.sender().map(MailAddress::toString).orElse("");
        List<String> addresses = recipients.stream().map(MailAddress::toString).toList();
        boolean utf8 = !ascii(sender) || addresses.stream().anyMatch(a -> !ascii(a));
        Map<String, String> dsnMail = new LinkedHashMap<>();
        for (String keyword : List.of("RET", "ENVID")) {
            String value = mail.mailParameters().get(keyword);
            if (value != null && !value.isEmpty()) {
                dsnMail.put(keyword, value);
            }
        }
        Map<String, Map<String, String>> dsnRecipients = new LinkedHashMap<>();
        for (MailAddress r : recipients) {
            Map<String, String> dsn = new LinkedHashMap<>();
            for (String keyword : List.of("NOTIFY", "ORCPT")) {
                String value = mail.recipientParameters(r).get(keyword);
                if (value != null && !value.isEmpty()) {
                    dsn.put(keyword, value);
                }
            }
            dsnRecipients.put(r.toString(), dsn);
        }
        OutboundMessage message = new OutboundMessage(sender, addresses, mail.size(), eightBit, utf8, out -> {
            try {
                mail.writeMessageTo(out);
            } catch (MessagingException e) {
                throw new IOException("cannot read the message of " + mail.name() + ": " + e.getMessage(), e);
            }
        }, out -> {
            // A copy: the mail itself, and what other domains get, stay as received.
            try {
                MimeMessage copy = Messages.copy(mail, getMailetContext());
                SevenBit.encode(copy);
                copy.writeTo(out);
            } catch (MessagingException e) {
                throw new IOException("cannot re-encode the 8-bit message of " + mail.name() + ": " + e.getMessage(), e);
            }
        }, dsnMail, dsnRecipients);
        try {
            // Recorded as soon as the remote accepted, before QUIT: what happens after must not repeat it.
            return transport.deliver(domain, message, results -> record(mail, Fate.SENT, results.stream()
                    .filter(r -> r.outcome() == Outcome.DELIVERED).map(RecipientResult::recipient).toList()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemporaryFailureException("interrupted while delivering to " + domain, e);
        }
    }

    private void record(Mail mail, Fate fate, List<String> recipients) {
        try {
            done.record(mail.messageKey(), fate, recipients);
        } catch (IOException e) {
            // The remote has the message (or the sender the notice) already: retrying would send it twice
            // at once, while an unrecorded success repeats only if the server also crashes before the queue
            // forgets the mail. So the mail goes on, loudly.
            getMailetContext().logger().error("{}: cannot record that {} {} (a crash before the mail leaves the queue would"
                    + " repeat it): {}", mail.name(), recipients, fate == Fate.SENT ? "were delivered" : "were reported",
                    e.getMessage());
        }
    }

    /** The host that answered, for Remote-MTA (RFC 3464 §2.3.5): without the [ip]:port of log lines. */
    private static Optional<String> remoteHost(RecipientResult result) {
        return result.remoteMta().map(m -> m.replaceAll("\\[.*", ""));
    }

    /** A recipient that failed for good (or was given up on), and why in words. */
    private record Failure(MailAddress recipient, RecipientResult result, String reason) {

        DeliveryStatusReport.Recipient report() {
            return new DeliveryStatusReport.Recipient(recipient, DeliveryStatusReport.Action.FAILED, result.status(),
                    remoteHost(result), result.reply().map(Object::toString), reason);
        }
    }

    private static Map<String, Serializable> attributes(RecipientResult result) {
        Map<String, Serializable> attributes = new LinkedHashMap<>();
        result.reply().ifPresent(r -> attributes.put(SMTP_CODE, r.code()));
        attributes.put(ERROR, result.diagnostic());
        attributes.put(PERMANENT, result.outcome() == Outcome.FAILED);
        return attributes;
    }

    private void notifySender(Mail mail, List<Failure> all) throws MessagingException {
        List<Failure> failures = all.stream().filter(f -> DeliveryStatusReport.wanted(mail, f.recipient(), "FAILURE")).toList();
        if (failures.size() < all.size()) {
            getMailetContext().logger().info("{}: no report for {}: the sender asked not to be told (NOTIFY)", mail.name(),
                    all.stream().filter(f -> !failures.contains(f)).map(Failure::recipient).toList());
        }
        if (failures.isEmpty()) {
            return;
        }
        List<MailAddress> recipients = failures.stream().map(Failure::recipient).toList();
        Optional<MailAddress> sender = mail.sender();
        if (sender.isEmpty()) {
            getMailetContext().logger().warn("{}: no report for {}: the sender is the null sender <> (a report is never"
                    + " sent to <>)", mail.name(), recipients);
            return;
        }
        // Not sendMail(cause, ...): its duplicate check would take a second report for the same mail (other
        // recipients, a later attempt) for the first. Reported recipients are recorded instead.
        getMailetContext().sendMail(Optional.empty(), List.of(sender.get()), DeliveryStatusReport.of(getMailetContext(),
                mail, sender.get(), failures.stream().map(Failure::report).toList(),
                DeliveryStatusReport.returned(mail, attachment)), ProcessingState.ROOT);
        getMailetContext().logger().info("{}: sender non-delivery notification to {} for {}", mail.name(), sender.get(),
                recipients);
    }

    /** One new mail per distinct reply, so the processor can route on its code. */
    private void handOver(Mail mail, List<Failure> failures, ProcessingState processor) throws MessagingException {
        // Grouped by code and permanence; the error text is the first recipient's (it often names the recipient).
        Map<List<Object>, List<Failure>> byReply = new LinkedHashMap<>();
        for (Failure f : failures) {
            List<Object> key = List.of(f.result().reply().map(r -> r.code()).orElse(0), f.result().outcome());
            byReply.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        }
        for (List<Failure> group : byReply.values()) {
            Map<String, Serializable> attributes = attributes(group.get(0).result());
            attributes.put(ERROR, group.get(0).reason());
            List<MailAddress> recipients = group.stream().map(Failure::recipient).toList();
            getMailetContext().sendMail(mail, mail.sender(), recipients, Messages.copy(mail, getMailetContext()),
                    processor, attributes);
            getMailetContext().logger().info("{}: failed recipients {} handed to processor {}: {}", mail.name(),
                    recipients, processor, attributes.get(ERROR));
        }
    }

    /**
     * One line per recipient and attempt, as Postfix logs it, so the same tools can read both;
     * {@code delay=} is the seconds since the mail arrived, with one decimal.
     */
    private void log(Mail mail, RecipientResult r) {
        String status = switch (r.outcome()) {
            case DELIVERED -> "sent";
            case DEFERRED -> "deferred";
            case FAILED -> "bounced";
        };
        long millis = Math.max(0, Duration.between(mail.arrived(), clock.instant()).toMillis());
        getMailetContext().logger().info("{}: to=<{}> relay={} delay={} dsn={} status={} ({})", mail.name(),
                r.recipient(), r.remoteMta().orElse("none"), String.format(Locale.ROOT, "%.1f", millis / 1000.0),
                r.status(), status, r.diagnostic());
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }

    /** Whether the message has a byte above 127 anywhere (it then needs 8BITMIME). */
    private static boolean eightBit(Mail mail) throws MessagingException {
        boolean[] found = {false};
        try {
            mail.writeMessageTo(new OutputStream() {
                @Override
                public void write(int b) {
                    if ((b & 0x80) != 0) {
                        found[0] = true;
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    for (int i = off; i < off + len && !found[0]; i++) {
                        found[0] = (b[i] & 0x80) != 0;
                    }
                }
            });
        } catch (IOException e) {
            throw new MailetException("cannot read the message of " + mail.name() + ": " + e.getMessage(), e);
        }
        return found[0];
    }
}
