package org.postlet.mailet;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One message on its way through the pipeline: the SMTP envelope, the message itself and what
 * the pipeline has learned about it so far.
 *
 * <p>A mail belongs to one thread at a time; implementations are not thread-safe. When a matcher
 * selects only some recipients, the server splits the mail and each part is a separate
 * {@code Mail} with its own name.
 */
public interface Mail {

    /** The queue id, unique within this server, as logged and shown in the 250 reply. */
    String name();

    /** The processor the mail is in. */
    ProcessingState state();

    /**
     * Moves the mail to another processor once the current mailet returns. Setting
     * {@link ProcessingState#GHOST} ends processing.
     */
    void setState(ProcessingState state);

    /** The envelope sender ({@code MAIL FROM}); empty for the null sender {@code <>} of bounces. */
    Optional<MailAddress> sender();

    /**
     * The recipients this mail is still addressed to. The collection is live: a mailet may remove
     * or add recipients; a mail left without recipients ends.
     */
    Collection<MailAddress> recipients();

    /** Replaces all recipients. */
    void setRecipients(Collection<MailAddress> recipients);

    /**
     * The message, parsed on first use. A mailet that changes it changes what later mailets see and
     * what is delivered.
     *
     * @throws MessagingException if the stored message cannot be read or parsed
     */
    MimeMessage message() throws MessagingException;

    /**
     * Writes the message as RFC 5322 text with CRLF line endings. While the message has not been
     * parsed this copies the stored bytes unchanged, which is what delivery mailets should use.
     */
    void writeMessageTo(OutputStream out) throws IOException, MessagingException;

    /**
     * The ESMTP parameters the client gave with {@code MAIL FROM}, with upper-case keywords:
     * {@code RET} and {@code ENVID} of a delivery status notification request (RFC 3461),
     * {@code BODY}, {@code SMTPUTF8}, {@code SIZE}; a keyword without value maps to {@code ""}.
     * Empty for mail made by the server.
     */
    default Map<String, String> mailParameters() {
        return Map.of();
    }

    /**
     * The ESMTP parameters the client gave with {@code RCPT TO} for this recipient, with upper-case
     * keywords: RFC 3461's {@code NOTIFY} (e.g. {@code FAILURE,DELAY} or {@code NEVER}) and
     * {@code ORCPT}. Empty when it gave none, or when a mailet rewrote the recipient since.
     */
    default Map<String, String> recipientParameters(MailAddress recipient) {
        return Map.of();
    }

    /** The size of the message in bytes as received, including the server's trace header. */
    long size();

    /** The IP address of the SMTP client that sent the mail, or {@code 127.0.0.1} for mail made here. */
    String remoteAddress();

    /** The host name of the SMTP client if it was resolved, otherwise its address. */
    String remoteHost();

    /**
     * The name the client gave in HELO or EHLO; empty for mail that did not come over SMTP (made
     * here, as a bounce or a notice, or put back from a repository).
     */
    String heloName();

    /** The user the client authenticated as with SMTP AUTH, if it did. */
    Optional<String> authenticatedUser();

    /** Why the mail is in the error processor, if it is. */
    Optional<String> errorMessage();

    /** Records why processing failed; shown in the error processor, bounces and logs. */
    void setErrorMessage(String message);

    /** A named value that mailets attach to the mail; it travels with the mail through the spool. */
    Optional<Serializable> attribute(String name);

    /** Sets an attribute, replacing an earlier value of the same name. */
    void setAttribute(String name, Serializable value);

    /** Removes an attribute; does nothing if it is not set. */
    void removeAttribute(String name);

    /** The names of all attributes set on this mail. */
    Set<String> attributeNames();

    /** When the mail last changed state or content. */
    Instant lastUpdated();

    /**
     * When the message arrived in this server (was received over SMTP, or made here, as a
     * notification is), kept across retries and restarts: delivery log lines show how long mail
     * took from there ({@code delay=}). Implementations that do not know it give {@link #lastUpdated()}.
     */
    default Instant arrived() {
        return lastUpdated();
    }

    /**
     * Identifies the received message across splits, retries and restarts: every part split from
     * one mail and every new attempt at it has the same key. Delivery mailets put it into what
     * they store so that, after a crash, they can recognise a delivery they already made.
     */
    default String messageKey() {
        return name();
    }

    /**
     * Whether this mail may already have been processed in part: the server stopped or failed
     * while processing it and now runs it again. A mailet with lasting effects (delivery,
     * forwarding) should then check whether its effect already happened, using {@link #messageKey()}.
     */
    default boolean possiblyRedelivered() {
        return false;
    }

    /**
     * When this mail first failed temporarily (a {@link TemporaryFailureException}); empty on its
     * first attempt. A notice to the sender can say how long delivery has been tried.
     */
    default Optional<Instant> failingSince() {
        return Optional.empty();
    }

    /**
     * Whether the server gives up on this mail if this attempt fails temporarily again: the next
     * retry would come after the retry time has run out, so the mail would go to the error
     * processor instead. A mailet that owes the sender a notice of failure (as RemoteDelivery owes
     * a delivery status notification) treats its temporary failures as final on this attempt and
     * sends the notice itself.
     */
    default boolean lastAttempt() {
        return false;
    }

    /**
     * Hands the server the fsync of a directory that this mail's processing still owes: a mailet
     * that created or renamed a file into {@code directory} (a delivery into a Maildir's
     * {@code new/}, say) has made the file itself durable, but its name survives a crash only once
     * the directory is fsync'd.
     *
     * <p>The server fsyncs the directory before the mail counts as processed, that is before it
     * leaves the queue, sharing one fsync among all the mails finishing at the same time that
     * name the same directory. If the server dies first, the mail is still queued and is processed
     * again with {@link #possiblyRedelivered()} set, so the mailet checks what did reach the disk.
     * A mailet that needs the directory durable at once must fsync it itself instead.
     *
     * <p>This default fsyncs the directory at once, so every implementation keeps the promise.
     *
     * @param directory the directory whose entries must be durable before the mail is processed
     * @throws IOException if this implementation syncs at once and the fsync fails; the mailet
     *                     should then treat its effect as not done (a temporary failure)
     */
    default void syncDirectoryBeforeProcessed(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException e) {
            // Windows cannot open a directory as a file, so Java cannot fsync it there; NTFS journals
            // directory changes itself. Anywhere else the error is real and is reported.
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
                throw e;
            }
        }
    }
}
