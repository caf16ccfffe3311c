package org.postlet.server.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
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
import org.postlet.server.spool.SpoolEntry;

/**
 * A {@link Mail} backed by its spool file. The message is parsed only when a mailet asks for it;
 * until then delivery copies the stored bytes as they are.
 */
public final class QueuedMail implements Mail {

    private static final Session SESSION = Session.getInstance(new Properties());

    private final String name;
    private final SpoolEntry entry;
    private final Clock clock;
    private final List<MailAddress> recipients;
    private final boolean possiblyRedelivered;
    private final Map<String, Serializable> attributes;
    private ProcessingState state;
    private SpooledMessage message;
    /** The open spool file a parsed message reads from; closed by {@link #release}. */
    private SpoolFileStream messageStream;
    private String errorMessage;
    private Instant lastUpdated;

    /** A mail as received: all recipients, in the state it was spooled with, processed for the first time. */
    public QueuedMail(SpoolEntry entry, Clock clock) {
        this(entry.id(), entry, clock, entry.envelope().recipients(), entry.state(), entry.attributes(), false);
    }

    /**
     * A mail run again: after a restart or a temporary failure, for the recipients still to do.
     *
     * @param recipients the recipients not yet done
     * @param state      where processing starts
     */
    public QueuedMail(SpoolEntry entry, Clock clock, Collection<MailAddress> recipients, ProcessingState state) {
        this(entry.id(), entry, clock, recipients, state, entry.attributes(), true);
    }

    private QueuedMail(String name, SpoolEntry entry, Clock clock, Collection<MailAddress> recipients,
                       ProcessingState state, Map<String, Serializable> attributes, boolean possiblyRedelivered) {
        this.name = name;
        this.entry = entry;
        this.clock = clock;
        this.possiblyRedelivered = possiblyRedelivered;
        this.recipients = new ArrayList<>(recipients);
        this.attributes = new LinkedHashMap<>(attributes);
        this.state = state;
        this.lastUpdated = clock.instant();
    }

    /**
     * A copy for some recipients, made when a matcher splits the mail. The copy shares the stored
     * message and gets its own copy of a parsed one, so changes to one do not show in the other.
     */
    QueuedMail split(String newName, Collection<MailAddress> selected) throws MessagingException {
        QueuedMail copy = new QueuedMail(newName, entry, clock, selected, state, attributes, possiblyRedelivered);
        copy.errorMessage = errorMessage;
        if (message != null) {
            copy.message = new SpooledMessage(message);
        }
        return copy;
    }

    /** The spool entry this mail came from. */
    SpoolEntry entry() {
        return entry;
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
        return entry.envelope().sender();
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
                messageStream = SpoolFileStream.open(entry.file(), entry.messageOffset(), entry.messageSize());
            } catch (IOException e) {
                throw new MessagingException("cannot open the spooled message " + entry.file() + ": " + e.getMessage(), e);
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
        try (FileChannel in = FileChannel.open(entry.file())) {
            // Exactly the message: the spool file goes on with its seal after it.
            long position = entry.messageOffset();
            long end = position + entry.messageSize();
            WritableByteChannel target = Channels.newChannel(out);
            while (position < end) {
                long n = in.transferTo(position, end - position, target);
                if (n <= 0) {
                    throw new IOException(entry.file() + " ends before its message does");
                }
                position += n;
            }
        }
    }

    @Override
    public long size() {
        return entry.messageSize();
    }

    @Override
    public String remoteAddress() {
        return entry.envelope().client().getHostString();
    }

    @Override
    public String remoteHost() {
        return entry.envelope().client().getHostString();
    }

    @Override
    public String heloName() {
        return entry.envelope().heloName();
    }

    @Override
    public Optional<String> authenticatedUser() {
        return entry.envelope().authenticatedUser();
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
        return entry.id();
    }

    @Override
    public boolean possiblyRedelivered() {
        return possiblyRedelivered;
    }

    /**
     * Closes the spool file, if the message was parsed: every stream read from it ends here, so no
     * handle outlives the mail's processing (a parsed message still reads its content from the file).
     */
    void release() {
        if (messageStream != null) {
            try {
                messageStream.close();
            } catch (IOException e) {
                // Only a read handle on a file about to be removed; nothing to recover.
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
