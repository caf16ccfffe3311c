package org.postlet.server.smtp;

import java.net.ConnectException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.postlet.mailet.IpNetwork;
import org.postlet.mailet.MailAddress;
import org.postlet.mailets.spam.RspamdClient;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.policy.MessageCheck;
import org.postlet.smtp.policy.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code smtp.rspamdReject}: asks rspamd at the end of DATA and refuses what it would reject, as
 * Postfix does through rspamd's milter: {@code reject} is a 550, {@code soft reject} and
 * {@code greylist} a 451, any other action lets the mail in. An rspamd that cannot be reached,
 * times out or answers badly defers the mail with 451 (Postfix's
 * {@code milter_default_action = tempfail}): the client keeps it and retries, so nothing is lost
 * and nothing unfiltered slips in. Clients that authenticated or sit in
 * {@code smtp.authorizedNetworks} are our own and are not checked.
 */
public final class SpamRejection implements MessageCheck {

    /** How long rspamd may take; within the 30 s all checks of one message get. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final Logger LOG = LoggerFactory.getLogger(SpamRejection.class);

    static final Verdict SPAM = Verdict.reject(550, "5.7.1", "Message refused as spam");
    static final Verdict SOFT_REJECT = Verdict.defer(451, "4.7.1", "Try again later");
    static final Verdict GREYLISTED = Verdict.defer(451, "4.7.1", "Greylisted, try again later");
    static final Verdict UNCHECKED = Verdict.defer(451, "4.7.1", "Spam filter unavailable, try again later");

    private final RspamdClient rspamd;
    private final OwnClients own;

    /**
     * @param rspamd  the client of rspamd's normal worker
     * @param trusted the networks whose clients are not checked ({@code smtp.authorizedNetworks})
     */
    public SpamRejection(RspamdClient rspamd, List<IpNetwork> trusted) {
        this.rspamd = rspamd;
        this.own = new OwnClients(trusted);
    }

    @Override
    public CompletionStage<Verdict> check(Envelope envelope, byte[] message) {
        if (own.sent(envelope)) {
            return CompletableFuture.completedFuture(Verdict.accept()); // our own users' and networks' mail
        }
        InetAddress client = envelope.client().getAddress();
        // The envelope has no queue id yet (the message is committed only if accepted) and no
        // resolved host name; rspamd does without both.
        RspamdClient.Query query = new RspamdClient.Query(client.getHostAddress(), envelope.heloName(), Optional.empty(),
                envelope.sender().map(MailAddress::toString).orElse(""),
                envelope.recipients().stream().map(MailAddress::toString).toList(), Optional.empty(), Optional.empty());
        return rspamd.askAsync(query, message).handle((answer, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                LOG.warn("rspamd at {} could not check the mail from {} ({}); deferred it with 451 4.7.1 — start rspamd or fix"
                        + " smtp.rspamdReject", rspamd.uri(), client.getHostAddress(), reason(cause));
                return UNCHECKED;
            }
            return verdict(answer.action());
        });
    }

    /** The reply for rspamd's action. */
    static Verdict verdict(String action) {
        return switch (action) {
            case "reject" -> SPAM;
            case "soft reject" -> SOFT_REJECT;
            case "greylist" -> GREYLISTED;
            default -> Verdict.accept();
        };
    }

    // The HTTP client's ConnectException has no message, nor has its cause; a JSON parser's
    // message goes on with the source's location on more lines: the first line says enough.
    private static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                return c.getMessage().lines().findFirst().orElse("").strip();
            }
        }
        return t instanceof ConnectException ? "cannot connect" : t.getClass().getSimpleName();
    }
}
