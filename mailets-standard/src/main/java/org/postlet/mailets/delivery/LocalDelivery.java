package org.postlet.mailets.delivery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import org.postlet.maildir.Delivery;
import org.postlet.maildir.DeliveryResult;
import org.postlet.maildir.MaildirStore;
import org.postlet.maildir.PendingSync;
import org.postlet.maildir.UnsafeMailboxException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.TemporaryFailureException;

/**
 * Delivers the mail into the Maildir of each recipient (aliases expanded) and ends its
 * processing. Parameter: {@code folder} — a Maildir++ folder such as {@code Junk} instead of the INBOX.
 * A recipient with no local mailbox is an error: route only local recipients here.
 *
 * <p>In a dry run ({@code bin/postlet trace}) nothing is written; the mail ends as it would.
 *
 * <p>Every file carries the mail's {@link Mail#messageKey()} in its name. When the server runs a
 * mail again after a crash or a temporary failure, mailboxes that already have it are skipped,
 * so each recipient gets the message exactly once. A delivery that fails for a reason that may
 * pass (a full disk) is a {@link TemporaryFailureException}: the server retries it later.
 *
 * <p>The fsync of each {@code new/} written to is handed to the mail
 * ({@link Mail#syncDirectoryBeforeProcessed}) rather than done per delivery: the server does it
 * before the mail leaves the queue, once for all mails finishing together.
 */
@ComponentDoc(summary = "Delivers the mail into the Maildir of each recipient (aliases expanded) and ends it. A"
        + " recipient without a local mailbox sends the mail to `error`: route only local recipients here. A full"
        + " disk or a mailbox over its quota is a temporary failure: the server retries later. After a crash, a"
        + " mailbox that already has the message is skipped (exactly once). `bin/postlet trace` writes nothing.",
        example = "{ match: \"HasHeader=X-Spam-Flag:YES\", class: LocalDelivery, folder: Junk }")
@MailetParameter(name = "folder", description = "A Maildir++ folder (e.g. `Junk`, `Lists.postlet`) instead of the"
        + " INBOX; created when first used.", example = "Junk")
public final class LocalDelivery extends GenericMailet {

    private final MaildirStore store;
    // The server's names for these (docs/operations.md); kept in step with its ServerMetric list.
    private final Meter delivered;
    private final Meter temporaryFailures;
    private final Meter permanentFailures;
    private Optional<String> folder;

    @Inject
    public LocalDelivery(MaildirStore store, MetricRegistry metrics) {
        this.store = store;
        this.delivered = metrics.meter("delivery.delivered");
        this.temporaryFailures = metrics.meter("delivery.failures.temporary");
        this.permanentFailures = metrics.meter("delivery.failures.permanent");
    }

    @Override
    public void init() throws MessagingException {
        folder = getInitParameter("folder").map(String::strip).filter(f -> !f.isEmpty());
        if (folder.isPresent()) {
            try {
                store.folderOf(new MailAddress("check", "example.test"), folder);
            } catch (UnsafeMailboxException e) {
                throw new MailetException("LocalDelivery parameter 'folder': " + e.getMessage());
            }
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        List<MailAddress> notLocal = new ArrayList<>();
        List<MailAddress> deferred = new ArrayList<>();
        TemporaryFailureException lastFailure = null;
        for (MailAddress recipient : mail.recipients()) {
            Collection<MailAddress> mailboxes = getMailetContext().localMailboxes(recipient);
            if (mailboxes.isEmpty()) {
                notLocal.add(recipient);
            }
            for (MailAddress mailbox : mailboxes) {
                try {
                    deliver(mail, recipient, mailbox);
                } catch (TemporaryFailureException e) {
                    // The others still get their copy now; only this recipient waits for a retry.
                    if (!deferred.contains(recipient)) {
                        deferred.add(recipient);
                    }
                    lastFailure = e;
                }
            }
        }
        temporaryFailures.mark(deferred.size());
        permanentFailures.mark(notLocal.size());
        if (!notLocal.isEmpty()) {
            notLocal.addAll(deferred);
            mail.setRecipients(notLocal);
            throw new MailetException("no local mailbox for " + notLocal);
        }
        if (lastFailure != null) {
            mail.setRecipients(deferred);
            throw lastFailure;
        }
        mail.setState(ProcessingState.GHOST);
    }

    private void deliver(Mail mail, MailAddress recipient, MailAddress mailbox) throws MailetException {
        String forWhom = mailbox.equals(recipient) ? "" : " (for " + recipient + ")";
        if (getMailetContext().dryRun()) {
            getMailetContext().logger().info("{}: would deliver to maildir {}{} folder {}", mail.name(), mailbox, forWhom,
                    folder.orElse("INBOX"));
            return;
        }
        try {
            if (mail.possiblyRedelivered()) {
                Optional<Path> earlier = store.findDelivered(mailbox, folder, mail.messageKey());
                if (earlier.isPresent()) {
                    // Found after a crash of the server alone, the file's name may still be only in the
                    // page cache: it must be made durable before the mail is dropped, like a new delivery.
                    mail.syncDirectoryBeforeProcessed(earlier.get().getParent());
                    getMailetContext().logger().info("{}: already in maildir {}{} folder {} before the restart: {}", mail.name(),
                            mailbox, forWhom, folder.orElse("INBOX"), earlier.get().getFileName());
                    return;
                }
            }
            Delivery delivery = new Delivery(mailbox, folder, mail.sender(), out -> {
                try {
                    mail.writeMessageTo(out);
                } catch (MessagingException e) {
                    throw new IOException("cannot write the message: " + e.getMessage(), e);
                }
            }, Optional.of(mail.messageKey()));
            DeliveryResult result = store.deliver(delivery);
            handOverPendingSync(mail, result);
            delivered.mark();
            // size= is the mail's size as everywhere else in the log; the file adds Return-Path and Delivered-To.
            getMailetContext().logger().info("{}: delivered to maildir {}{} folder {} size={} (file {} bytes with Return-Path and Delivered-To)",
                    mail.name(), mailbox, forWhom, folder.orElse("INBOX"), mail.size(), result.size());
        } catch (UnsafeMailboxException e) {
            throw new MailetException("delivery to " + mailbox + " is impossible: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TemporaryFailureException("delivery to " + mailbox + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Leaves the fsync of {@code new/} to the mail. If the mail syncs at once and that fails, the
     * message is not durable: it is removed again so that the retry delivers exactly one copy.
     */
    private static void handOverPendingSync(Mail mail, DeliveryResult result) throws IOException {
        Optional<PendingSync> pending = result.pendingSync();
        if (pending.isEmpty()) {
            return;
        }
        try {
            mail.syncDirectoryBeforeProcessed(pending.get().directory());
        } catch (IOException e) {
            try {
                Files.deleteIfExists(result.file());
            } catch (IOException notRemoved) {
                e.addSuppressed(notRemoved);
            }
            throw new IOException("syncing " + pending.get().directory() + " failed, so " + result.file().getFileName()
                    + " was withdrawn: " + e.getMessage(), e);
        }
    }
}
