package org.postlet.server.context;

import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetContext;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.directory.Directory;
import org.postlet.server.spool.FileSpool;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.IncomingMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server as mailets see it. */
@Singleton
public final class ServerMailetContext implements MailetContext {

    private static final Logger MAILET_LOG = LoggerFactory.getLogger("org.postlet.mailet");

    private final ServerConfig config;
    private final Directory directory;
    private final Provider<FileSpool> spool;
    private final Clock clock;
    private final MailAddress postmaster;
    private final RunMode mode;

    /** @param spool a provider, so a dry run or {@code check} never opens the spool */
    @Inject
    public ServerMailetContext(ServerConfig config, Directory directory, Provider<FileSpool> spool, Clock clock, RunMode mode) {
        this.config = config;
        this.directory = directory;
        this.spool = spool;
        this.clock = clock;
        this.mode = mode;
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
        if (dryRun()) {
            MAILET_LOG.info("would send a new mail from {} to {} starting in {}: {}",
                    sender.map(MailAddress::toPath).orElse("<>"), recipients, state, message.getSubject());
            return;
        }
        Envelope envelope = new Envelope(sender, List.copyOf(recipients), Map.of(), Map.of(), config.hostname(),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), Optional.empty(), "internal", clock.instant());
        IncomingMessage incoming;
        try {
            incoming = spool.get().open(envelope, state);
        } catch (IOException e) {
            throw new MessagingException("cannot spool a new mail: " + e.getMessage(), e);
        }
        try {
            message.writeTo(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    incoming.write(ByteBuffer.wrap(new byte[] {(byte) b}));
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    incoming.write(ByteBuffer.wrap(b, off, len));
                }
            });
            incoming.commit().toCompletableFuture().join();
        } catch (IOException | CompletionException e) {
            incoming.abort();
            throw new MessagingException("cannot spool a new mail: " + e.getMessage(), e);
        }
    }

    @Override
    public Logger logger() {
        return MAILET_LOG;
    }

    @Override
    public boolean dryRun() {
        return mode == RunMode.DRY_RUN;
    }
}
