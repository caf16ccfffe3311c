package org.postlet.server;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.postlet.auth.MailAuthenticator;
import org.postlet.auth.dns.DnsLookup;
import java.util.stream.Collectors;
import org.postlet.outbound.SentRecipients;
import org.postlet.dns.DnsResolver;
import org.postlet.outbound.route.Self;
import org.postlet.outbound.sts.MtaSts;
import org.postlet.outbound.sts.PolicyFetcher;
import org.postlet.outbound.sts.PolicyStore;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.mailet.MailetContext;
import org.postlet.maildir.MaildirStore;
import org.postlet.maildir.QuotaRules;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.context.LocalRecipientPolicy;
import org.postlet.server.context.LocalSenderPolicy;
import org.postlet.server.context.RunMode;
import org.slf4j.Logger;
import org.postlet.server.context.ServerMailetContext;
import org.postlet.server.directory.Directory;
import org.postlet.queue.MailQueue;
import org.postlet.queue.QueueIds;
import org.postlet.queue.file.FileMailQueue;
import org.postlet.queue.rabbitmq.RabbitMailQueue;
import org.postlet.server.repository.RepositoryFolder;
import org.postlet.mailets.repository.ConfigDirectory;
import org.postlet.mailets.repository.MailRepository;
import java.nio.file.Path;
import org.postlet.smtp.policy.RecipientPolicy;
import org.postlet.smtp.policy.SenderPolicy;

/**
 * The server's services, as mailets and matchers may {@code @Inject} them: the configuration,
 * the directory of local users, the mailet context, the Maildir store, the mail queue, a metric
 * registry, a clock, and what remote delivery needs (DNS resolver, this server as a destination,
 * the record of recipients done with).
 */
final class PostletModule extends AbstractModule {

    private final ServerConfig config;
    private final Directory directory;
    /** How long one DNS question may take, every resolver and retry included. */
    private static final Duration DNS_TIMEOUT = Duration.ofSeconds(5);

    private final Clock clock;
    private final RunMode mode;
    private final Logger mailetLog;

    PostletModule(ServerConfig config, Directory directory, Clock clock, RunMode mode, Logger mailetLog) {
        this.config = config;
        this.directory = directory;
        this.clock = clock;
        this.mode = mode;
        this.mailetLog = mailetLog;
    }

    @Override
    protected void configure() {
        bind(ServerConfig.class).toInstance(config);
        bind(Directory.class).toInstance(directory);
        bind(QuotaRules.class).toInstance(directory);
        bind(Clock.class).toInstance(clock);
        bind(RunMode.class).toInstance(mode);
        bind(Logger.class).toInstance(mailetLog);
        bind(MetricRegistry.class).toInstance(new MetricRegistry());
        bind(MailetContext.class).to(ServerMailetContext.class);
        bind(RecipientPolicy.class).to(LocalRecipientPolicy.class);
        bind(SenderPolicy.class).to(LocalSenderPolicy.class);
        bind(MailRepository.class).to(RepositoryFolder.class);
        bind(Path.class).annotatedWith(ConfigDirectory.class).toInstance(config.directory());
    }

    @Provides
    @Singleton
    MaildirStore maildirStore() {
        return new MaildirStore(config.maildirRoot(), config.maildirLayout(), config.hostname(), directory);
    }

    /**
     * Mail authentication's DNS: the server's one DNS client, so {@code dns.resolvers} means the same
     * for it as for remote delivery (absent: the system's resolvers; {@code []}: every lookup fails
     * temporarily).
     */
    @Provides
    @Singleton
    DnsLookup dnsLookup(DnsResolver resolver) {
        return DnsLookup.through(resolver);
    }

    @Provides
    @Singleton
    MailAuthenticator mailAuthenticator(DnsLookup dns) {
        return new MailAuthenticator(dns, clock, new SplittableRandom());
    }

    /** The resolvers of {@code dns.resolvers}, else the system's; an answer is waited for at most {@link #DNS_TIMEOUT}. */
    @Provides
    @Singleton
    DnsResolver dnsResolver() {
        return config.dnsResolvers().map(r -> new DnsResolver(r, DNS_TIMEOUT)).orElseGet(() -> DnsResolver.system(DNS_TIMEOUT));
    }

    /** This server as a destination: its host name and listener ports, so remote delivery never loops to it. */
    @Provides
    @Singleton
    Self self() {
        return new Self(config.hostname(), config.smtp().listeners().stream().map(ListenerSettings::port)
                .collect(Collectors.toSet()));
    }

    /**
     * Which recipients remote delivery finished with, beside the queue in the spool; kept a day
     * longer than mail may stay queued.
     */
    @Provides
    @Singleton
    SentRecipients sentRecipients() {
        return new SentRecipients(config.spool().resolve("remote-done"), config.retry().giveUpAfter().plusDays(1), clock);
    }

    /**
     * The MTA-STS policies of recipient domains (RFC 8461), asked through the same resolvers as MX
     * records and cached beside the queue in the spool, so a restart keeps applying them.
     */
    @Provides
    @Singleton
    MtaSts mtaSts(DnsResolver dns) {
        return new MtaSts(dns, PolicyFetcher.standard(dns), new PolicyStore(config.spool().resolve("mta-sts"), clock), clock);
    }

    /**
     * Opened on first use, so {@code check} and {@code trace} never touch the spool directory nor
     * connect to a broker.
     */
    @Provides
    @Singleton
    MailQueue queue() {
        if (config.rabbitmq().isPresent()) {
            try {
                // The spool still holds this node's pid file and reload status; the mail is in the broker.
                java.nio.file.Files.createDirectories(config.spool());
                return RabbitMailQueue.open(config.rabbitmq().get(), new QueueIds(clock), clock);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        try {
            return FileMailQueue.open(config.spool(), new QueueIds(clock), clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the spool " + config.spool() + ": " + e.getMessage(), e);
        }
    }
}
