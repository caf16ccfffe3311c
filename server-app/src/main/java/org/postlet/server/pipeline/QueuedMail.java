package org.postlet.server.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.Deferral;
import org.postlet.queue.Lease;
import org.postlet.queue.Origin;

/**
 * A {@link Mail} backed by a queue lease. The message is parsed only when a mailet asks for it;
 * until then delivery copies the queued bytes as they are.
 */
public final class QueuedMail implements Mail {

    private static final Session SESSION = Session.getInstance(new Properties());
    /** Where mail the server made itself (a bounce, a requeued mail) says it came from. */
    private static final String SERVER_ITSELF = "127.0.0.1";

    private final String name;
    private final Lease lease;
    private final Clock clock;
    private final List<MailAddress> recipients;
    private final boolean possiblyRedelivered;
    private final boolean lastAttempt;
    private final Map<String, Serializable> attributes;
    /** Directories deliveries left unsynced; shared by every part of one lease. */
    private final Set<Path> directoriesToSync;
    private ProcessingState state;
    private SpooledMessage message;
    /** The stream a parsed message reads from; closed by {@link #release}. */
    private InputStream messageStream;
    private String errorMessage;
    private Instant lastUpdated;

    /**
     * A mail for the lease's recipients. It counts as possibly redelivered when the queue says so
     * or when it is a retry: either way delivery mailets must skip what they did before.
     *
     * @param state where processing starts (the lease's state, or {@code error} when retries ran out)
     */
    public QueuedMail(Lease lease, Clock clock, ProcessingState state) {
        this(lease, clock, state, false);
    }

    /**
     * Like {@link #QueuedMail(Lease, Clock, ProcessingState)}.
     *
     * @param lastAttempt whether the server gives up if this attempt fails temporarily ({@link #lastAttempt()})
     */
    public QueuedMail(Lease lease, Clock clock, ProcessingState state, boolean lastAttempt) {
        this(lease.id(), lease, clock, lease.recipients(), state, lease.attributes(),
                lease.possibleRedelivery() || lease.deferral().isPresent(), new LinkedHashSet<>(), lastAttempt);
    }

    /** A mail for the lease's recipients, in the lease's state. */
    public QueuedMail(Lease lease, Clock clock) {
        this(lease, clock, lease.state());
    }

    private QueuedMail(String name, Lease lease, Clock clock, Collection<MailAddress> recipients, ProcessingState state,
                       Map<String, Serializable> attributes, boolean possiblyRedelivered, Set<Path> directoriesToSync,
                       boolean lastAttempt) {
        this.name = name;
        this.lastAttempt = lastAttempt;
        this.lease = lease;
        this.clock = clock;
        this.possiblyRedelivered = possiblyRedelivered;
        this.recipients = new ArrayList<>(recipients);
        this.attributes = new LinkedHashMap<>(attributes);
        this.directoriesToSync = directoriesToSync;
        this.state = state;
        this.lastUpdated = clock.instant();
    }

    /**
     * A copy for some recipients, made when a matcher splits the mail. The copy shares the queued
     * message and gets its own copy of a parsed one, so changes to one do not show in the other.
     */
    QueuedMail split(String newName, Collection<MailAddress> selected) throws MessagingException {
        QueuedMail copy = new QueuedMail(newName, lease, clock, selected, state, attributes, possiblyRedelivered,
                directoriesToSync, lastAttempt);
        copy.errorMessage = errorMessage;
        if (message != null) {
            copy.message = new SpooledMessage(message);
        }
        return copy;
    }

    /** The directories this mail's deliveries (in every part) left for the server to sync. */
    public Set<Path> directoriesToSync() {
        synchronized (directoriesToSync) {
            return Set.copyOf(directoriesToSync);
        }
    }

    @Override
    public void syncDirectoryBeforeProcessed(Path directory) {
        synchronized (directoriesToSync) {
            directoriesToSync.add(directory);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ProcessingState state() {
        return state;
    }

    @Override
    public void setState(ProcessingState state) {
        this.state = Objects.requireNonNull(state, "state");
        touch();
    }

    @Override
    public Optional<MailAddress> sender() {
        return lease.envelope().sender();
    }

    @Override
    public Collection<MailAddress> recipients() {
        return recipients;
    }

    @Override
    public void setRecipients(Collection<MailAddress> newRecipients) {
        recipients.clear();
        recipients.addAll(newRecipients);
        touch();
    }

    @Override
    public MimeMessage message() throws MessagingException {
        if (message == null) {
            try {
                messageStream = lease.content().open();
            } catch (IOException e) {
                throw new MessagingException("cannot read the queued message " + lease.id() + ": " + e.getMessage(), e);
            }
            message = new SpooledMessage(SESSION, messageStream);
        }
        return message;
    }

    @Override
    public void writeMessageTo(OutputStream out) throws IOException, MessagingException {
        if (message != null && message.changed()) {
            message.writeTo(out);
            return;
        }
        lease.content().writeTo(out);
    }

    @Override
    public long size() {
        return lease.content().size();
    }

    @Override
    public String remoteAddress() {
        return lease.envelope().origin().smtpSession().map(Origin.SmtpSession::clientAddress).orElse(SERVER_ITSELF);
    }

    @Override
    public String remoteHost() {
        return remoteAddress();
    }

    @Override
    public String heloName() {
        return lease.envelope().origin().smtpSession().map(Origin.SmtpSession::heloName).orElse("");
    }

    @Override
    public Optional<String> authenticatedUser() {
        return lease.envelope().origin().smtpSession().flatMap(Origin.SmtpSession::authenticatedUser);
    }

    @Override
    public Optional<String> errorMessage() {
        return Optional.ofNullable(errorMessage);
    }

    @Override
    public void setErrorMessage(String message) {
        this.errorMessage = message;
        touch();
    }

    @Override
    public Optional<Serializable> attribute(String attributeName) {
        return Optional.ofNullable(attributes.get(attributeName));
    }

    @Override
    public void setAttribute(String attributeName, Serializable value) {
        attributes.put(attributeName, Objects.requireNonNull(value, "value"));
        touch();
    }

    @Override
    public void removeAttribute(String attributeName) {
        attributes.remove(attributeName);
    }

    @Override
    public Set<String> attributeNames() {
        return Set.copyOf(attributes.keySet());
    }

    @Override
    public Instant lastUpdated() {
        return lastUpdated;
    }

    /** The queue id of the received message, shared by every part and every attempt. */
    @Override
    public String messageKey() {
        return lease.id();
    }

    @Override
    public boolean possiblyRedelivered() {
        return possiblyRedelivered;
    }

    /** The envelope's time of arrival; a mail spooled by a version that did not record it says when it was read. */
    @Override
    public Instant arrived() {
        Instant received = lease.envelope().receivedAt();
        return received.equals(Instant.EPOCH) ? lastUpdated : received;
    }

    @Override
    public Optional<Instant> failingSince() {
        return lease.deferral().map(Deferral::firstFailure);
    }

    @Override
    public Map<String, String> mailParameters() {
        return lease.envelope().mailParameters();
    }

    @Override
    public Map<String, String> recipientParameters(MailAddress recipient) {
        return lease.envelope().recipientParameters().getOrDefault(recipient, Map.of());
    }

    @Override
    public boolean lastAttempt() {
        return lastAttempt;
    }

    /**
     * Closes what the parsed message reads from, if it was parsed: every stream made from it ends
     * here, so no file handle outlives the mail's processing.
     */
    void release() {
        if (messageStream != null) {
            try {
                messageStream.close();
            } catch (IOException e) {
                // Only a read handle; nothing to recover.
            }
            messageStream = null;
        }
    }

    private void touch() {
        lastUpdated = clock.instant();
    }

    @Override
    public String toString() {
        return name + " " + state + " " + sender().map(MailAddress::toPath).orElse("<>") + " -> " + recipients;
    }
}
