package org.postlet.server.context;

import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.concurrent.CompletionException;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetContext;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.directory.Directory;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.Origin;
import org.postlet.queue.QueueIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server as mailets see it. */
@Singleton
public final class ServerMailetContext implements MailetContext {

    /** The server's log for mailets; a dry run gets its own, which prints to the trace's output instead. */
    public static final Logger MAILET_LOG = LoggerFactory.getLogger("org.postlet.mailet");

    private final ServerConfig config;
    private final Directory directory;
    private final Provider<MailQueue> queue;
    private final Clock clock;
    private final MailAddress postmaster;
    private final RunMode mode;
    private final Logger log;

    /**
     * @param queue a provider, so a dry run or {@code check} never opens the queue
     * @param log   where mailets log: {@link #MAILET_LOG}, or the trace's output in a dry run
     */
    @Inject
    public ServerMailetContext(ServerConfig config, Directory directory, Provider<MailQueue> queue, Clock clock, RunMode mode,
                               Logger log) {
        this.config = config;
        this.directory = directory;
        this.queue = queue;
        this.clock = clock;
        this.mode = mode;
        this.log = log;
        this.postmaster = new MailAddress("postmaster", config.domains().isEmpty() ? config.hostname() : config.domains().get(0));
    }

    @Override
    public String serverHostname() {
        return config.hostname();
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return directory.isLocalDomain(domain);
    }

    @Override
    public boolean isLocalUser(MailAddress address) {
        return directory.isLocalDomain(address.domain()) && directory.isLocalRecipient(address);
    }

    @Override
    public Collection<MailAddress> localMailboxes(MailAddress address) {
        if (!isLocalUser(address)) {
            return List.of();
        }
        return directory.mailboxesOf(address).stream().filter(a -> directory.isLocalDomain(a.domain())).toList();
    }

    @Override
    public MailAddress postmaster() {
        return postmaster;
    }

    @Override
    public void sendMail(Optional<MailAddress> sender, Collection<MailAddress> recipients, MimeMessage message,
                         ProcessingState state) throws MessagingException {
        send(Optional.empty(), sender, recipients, message, state, Map.of());
    }

    /**
     * Like the plain sendMail, with a queue id derived from the cause, the envelope and the
     * subject: when the cause is run again after a crash, the same new mail has the same id, and
     * the queue, which still holds it or remembers sending it, does not take it twice.
     */
    @Override
    public void sendMail(Mail cause, Optional<MailAddress> sender, Collection<MailAddress> recipients, MimeMessage message,
                         ProcessingState state) throws MessagingException {
        send(Optional.of(cause), sender, recipients, message, state, Map.of());
    }

    @Override
    public void sendMail(Mail cause, Optional<MailAddress> sender, Collection<MailAddress> recipients, MimeMessage message,
                         ProcessingState state, Map<String, Serializable> attributes) throws MessagingException {
        send(Optional.of(cause), sender, recipients, message, state, attributes);
    }

    private void send(Optional<Mail> cause, Optional<MailAddress> sender, Collection<MailAddress> recipients,
                      MimeMessage message, ProcessingState state, Map<String, Serializable> attributes)
            throws MessagingException {
        if (dryRun()) {
            log.info("would send a new mail from {} to {} starting in {}: {}",
                    sender.map(MailAddress::toPath).orElse("<>"), recipients, state, message.getSubject());
            return;
        }
        MailEnvelope envelope = new MailEnvelope(sender, List.copyOf(recipients),
                new Origin.Generated(cause.map(Mail::messageKey).orElse("")), clock.instant());
        Optional<MailQueue.Enqueuing> opened;
        try {
            if (cause.isPresent()) {
                String id = QueueIds.derived(String.join("\n", cause.get().messageKey(), cause.get().name(),
                        sender.map(MailAddress::toString).orElse(""), recipients.stream().map(MailAddress::toString).sorted()
                                .collect(Collectors.joining(",")), String.valueOf(message.getSubject()), state.name()));
                opened = queue.get().enqueueOnce(id, envelope, state, attributes);
                if (opened.isEmpty()) {
                    log.info("{}: {} for {} was already sent before the restart; not again", cause.get().name(), id,
                            recipients);
                    return;
                }
            } else {
                opened = Optional.of(queue.get().enqueue(envelope, state, attributes));
            }
        } catch (IOException e) {
            throw new MessagingException("cannot queue a new mail: " + e.getMessage(), e);
        }
        MailQueue.Enqueuing incoming = opened.get();
        try {
            OutputStream out = new BufferedOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    incoming.write(ByteBuffer.wrap(b, off, len));
                }
            }, 64 * 1024);
            message.writeTo(out);
            out.flush();
            incoming.commit().toCompletableFuture().join();
        } catch (IOException | CompletionException e) {
            incoming.abort();
            throw new MessagingException("cannot queue a new mail: " + e.getMessage(), e);
        }
    }

    @Override
    public Logger logger() {
        return log;
    }

    @Override
    public boolean dryRun() {
        return mode == RunMode.DRY_RUN;
    }
}
