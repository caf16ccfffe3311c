package org.postlet.mailet;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.Serializable;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/** What the server offers every mailet and matcher. Inject it or take it from the config. */
public interface MailetContext {

    /** The server's host name, as in its SMTP banner and {@code Received:} headers. */
    String serverHostname();

    /** Whether mail for this domain is delivered here. */
    boolean isLocalDomain(String domain);

    /** Whether this address is a user (or alias) of a local domain. */
    boolean isLocalUser(MailAddress address);

    /**
     * The local mailboxes mail for this address is delivered to: the address itself for a local
     * user, the expanded targets for an alias (only the local ones). Empty when nothing local
     * receives it.
     */
    Collection<MailAddress> localMailboxes(MailAddress address);

    /** The postmaster of this server, who receives notices. */
    MailAddress postmaster();

    /**
     * Puts a new mail into the spool; it starts in {@code state} once it is on disk.
     *
     * @param sender     the envelope sender, empty for the null sender
     * @param recipients at least one recipient
     * @param message    the message to send
     * @param state      the processor it starts in, usually {@link ProcessingState#ROOT}
     * @throws MessagingException if the mail could not be written to the spool
     */
    void sendMail(Optional<MailAddress> sender, Collection<MailAddress> recipients, MimeMessage message,
                  ProcessingState state) throws MessagingException;

    /**
     * Puts a new mail into the spool because of {@code cause}: a bounce, a forwarded copy, a notice.
     * Prefer this to {@link #sendMail(Optional, Collection, MimeMessage, ProcessingState)} in a
     * mailet: after a crash the server may run {@code cause} again, and it then recognises a new
     * mail it already sent for it (same cause, envelope and subject) and does not send it twice.
     *
     * @throws MessagingException if the mail could not be written to the spool
     */
    default void sendMail(Mail cause, Optional<MailAddress> sender, Collection<MailAddress> recipients, MimeMessage message,
                          ProcessingState state) throws MessagingException {
        sendMail(sender, recipients, message, state);
    }

    /**
     * Like {@link #sendMail(Mail, Optional, Collection, MimeMessage, ProcessingState)}, the new mail
     * carrying {@code attributes} from the start, so that the processor it starts in can route on
     * them (as RemoteDelivery's {@code bounceProcessor} does with the remote's reply). The same
     * cause, envelope, subject and state after a crash is recognised and not sent twice.
     *
     * <p>This default works only without attributes: a server that cannot store them refuses
     * rather than silently dropping them.
     *
     * @throws MessagingException if the mail could not be written to the spool, or attributes
     *                            were given and this server cannot store them
     */
    default void sendMail(Mail cause, Optional<MailAddress> sender, Collection<MailAddress> recipients, MimeMessage message,
                          ProcessingState state, Map<String, Serializable> attributes) throws MessagingException {
        if (!attributes.isEmpty()) {
            throw new MessagingException("this server cannot give a new mail attributes " + attributes.keySet());
        }
        sendMail(cause, sender, recipients, message, state);
    }

    /** The logger mailets should use; log lines carry the mail's queue id. */
    Logger logger();

    /**
     * Whether this is a dry run ({@code bin/postlet trace}): mailets with lasting effects —
     * delivering, storing, sending — must not do them, only log what they would do, and then
     * change the mail's state as they normally would.
     */
    default boolean dryRun() {
        return false;
    }
}
