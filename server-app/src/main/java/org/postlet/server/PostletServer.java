package org.postlet.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import com.codahale.metrics.CachedGauge;
import com.codahale.metrics.MetricRegistry;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import org.postlet.mailets.spam.RspamdClient;
import org.postlet.server.auth.PasswdFileAuthenticator;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.config.ServerConfigLoader;
import org.postlet.server.config.TlsKeyMaterial;
import org.postlet.server.context.RunMode;
import org.postlet.server.context.ServerMailetContext;
import org.postlet.server.directory.Directory;
import org.postlet.server.metrics.HealthCheck;
import org.postlet.server.metrics.JmxExport;
import org.postlet.server.metrics.MetricsAddress;
import org.postlet.server.metrics.MetricsEndpoint;
import org.postlet.server.metrics.ServerHealth;
import org.postlet.server.metrics.ServerMetric;
import org.postlet.server.metrics.SmtpMetrics;
import org.postlet.server.smtp.SmtpRejectionLog;
import org.postlet.server.pipeline.LivePipeline;
import org.postlet.server.pipeline.Pipeline;
import org.postlet.server.pipeline.PipelineBuilder;
import org.postlet.server.pipeline.PipelineLoader;
import org.postlet.queue.MailQueue;
import org.postlet.queue.QueueSize;
import org.postlet.queue.file.FileMailQueue;
import org.postlet.server.processing.QueueRunner;
import org.postlet.server.processing.RecentOutcomes;
import org.postlet.server.admin.AdminApi;
import org.postlet.server.admin.AdminToken;
import org.postlet.server.pipeline.PipelineView;
import org.postlet.server.repository.Repositories;
import org.postlet.server.processing.SmtpIntake;
import org.postlet.server.smtp.DmarcRejection;
import org.postlet.server.smtp.SpamRejection;
import org.postlet.smtp.inbound.InboundQueue;
import org.postlet.smtp.inbound.MessageChecks;
import org.postlet.smtp.policy.MessageCheck;
import org.postlet.auth.MailAuthenticator;
import org.postlet.smtp.inbound.SubmissionHeaders;
import org.postlet.smtp.policy.RecipientPolicy;
import org.postlet.smtp.policy.SenderPolicy;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.SmtpEvents;
import org.postlet.smtp.server.SmtpServer;
import org.postlet.smtp.tls.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Postlet server: configuration, pipeline, queue, workers and SMTP listeners, started and
 * stopped in the order that keeps mail safe (the queue opens before SMTP accepts; SMTP stops
 * before the workers).
 */
public final class PostletServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostletServer.class);

    private final Checked checked;
    private final ServerConfig config;
    private final SmtpServer smtp;
    private final MailQueue queue;
    private final Optional<MetricsEndpoint> metricsEndpoint;
    /**
     * How long the end-of-DATA checks may take in all before the client is told to come back
     * (451 4.7.0): well inside the 10 minutes RFC 5321 gives a client to wait for the reply.
     */
    private static final Duration MESSAGE_CHECK_BUDGET = Duration.ofSeconds(30);

    /** Everything started, in start order; closed in reverse, so SMTP stops before the workers and the spool. */
    private final List<AutoCloseable> started;
    private final PipelineReload reload;

    private PostletServer(Checked checked, PipelineReload reload, SmtpServer smtp, MailQueue queue,
                          Optional<MetricsEndpoint> metricsEndpoint, List<AutoCloseable> started) {
        this.checked = checked;
        this.reload = reload;
        this.config = checked.config();
        this.smtp = smtp;
        this.queue = queue;
        this.metricsEndpoint = metricsEndpoint;
        this.started = List.copyOf(started);
    }

    /**
     * A configuration read and checked: what {@code bin/postlet check} reports on and what
     * {@link #start} runs.
     *
     * @param config   the main configuration
     * @param injector the server's services
     * @param pipeline      the initialised pipeline
     * @param extensionsDir {@code lib/ext}, where mailets from outside the server are
     */
    public record Checked(ServerConfig config, Injector injector, Pipeline pipeline, Path extensionsDir) {

        /**
         * Reads the pipeline file again and builds it with the same services, e.g. for a reload.
         * Each build has its own class loader over {@code lib/ext}, so a jar added since start is
         * found and a replaced jar's new classes are used.
         */
        public Pipeline rebuildPipeline() throws InvalidConfigException {
            return new PipelineBuilder(injector, extensions(extensionsDir), injector.getInstance(ServerMailetContext.class))
                    .build(new PipelineLoader().read(config.pipeline()));
        }
    }

    /**
     * Reads and validates everything in {@code confDir} without opening ports or the spool.
     *
     * @param home where {@code lib/ext} is, for mailets from outside the server
     * @throws InvalidConfigException listing every problem in every file
     */
    public static Checked check(Path confDir, Path home) throws InvalidConfigException {
        return check(confDir, home, RunMode.SERVE);
    }

    /**
     * Like {@link #check(Path, Path)}; with {@link RunMode#DRY_RUN} the pipeline's mailets only
     * say what they would do ({@code bin/postlet trace}).
     */
    public static Checked check(Path confDir, Path home, RunMode mode) throws InvalidConfigException {
        return check(confDir, home, mode, ServerMailetContext.MAILET_LOG);
    }

    /**
     * Like {@link #check(Path, Path, RunMode)}, with mailets logging to {@code mailetLog}: a trace
     * prints what they would do on its own output rather than in the server's log.
     */
    public static Checked check(Path confDir, Path home, RunMode mode, Logger mailetLog) throws InvalidConfigException {
        // Every file is checked even when another has problems, so check lists them all at once.
        ServerConfigLoader.Loaded loaded = new ServerConfigLoader().read(confDir);
        List<ConfigProblem> problems = new ArrayList<>(loaded.problems());
        if (loaded.config().isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        ServerConfig config = loaded.config().get();
        Directory directory;
        try {
            directory = Directory.load(config.domains(), config.users(), config.aliases(), config.maildirQuota());
        } catch (InvalidConfigException e) {
            problems.addAll(e.problems());
            directory = Directory.empty(config.domains());
        }
        Injector injector = Guice.createInjector(new PostletModule(config, directory, Clock.systemUTC(), mode, mailetLog));
        Path extensionsDir = home.resolve("lib/ext");
        ClassLoader extensions = extensions(extensionsDir);
        Pipeline pipeline = null;
        try {
            pipeline = new PipelineBuilder(injector, extensions, injector.getInstance(ServerMailetContext.class))
                    .build(new PipelineLoader().read(config.pipeline()));
        } catch (InvalidConfigException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            if (pipeline != null) {
                pipeline.destroy();
            }
            throw new InvalidConfigException(problems);
        }
        return new Checked(config, injector, pipeline, extensionsDir);
    }

    /**
     * Checks the configuration, opens the spool, starts the workers, the metrics endpoint and the
     * SMTP listeners, in that order; if any step fails, what was started is stopped again.
     *
     * @throws InvalidConfigException if the configuration is invalid (nothing is started)
     * @throws IOException            if the spool cannot be opened or a port cannot be bound
     */
    public static PostletServer start(Path confDir, Path home) throws InvalidConfigException, IOException {
        Checked checked = check(confDir, home);
        ServerConfig config = checked.config();
        Injector injector = checked.injector();
        List<AutoCloseable> started = new ArrayList<>();
        LivePipeline pipeline = new LivePipeline(checked.pipeline());
        started.add(pipeline);
        try {
            MailQueue queue;
            try {
                queue = injector.getInstance(MailQueue.class);
            } catch (ProvisionException e) {
                throw e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getMessage(), e);
            }
            started.add(queue);
            started.add(PidFile.write(config.spool().resolve(PidFile.NAME)));
            MetricRegistry metrics = injector.getInstance(MetricRegistry.class);
            registerQueueGauges(metrics, queue);
            registerFreeSpace(metrics, ServerMetric.SPOOL_FREE_BYTES, config.spool());
            registerFreeSpace(metrics, ServerMetric.MAILDIR_FREE_BYTES, config.maildirRoot());
            started.add(JmxExport.start(metrics));

            // Workers spend most of their time waiting for a Maildir file's fsync, and the file system
            // commits concurrent fsyncs together: 12 workers on 2 cores delivered ~20 % more mail per
            // second than 4, with less CPU per message (docs/performance.md).
            int threads = Math.min(64, Math.max(8, Runtime.getRuntime().availableProcessors() * 6));
            RecentOutcomes recent = new RecentOutcomes(RecentOutcomes.DEFAULT_CAPACITY);
            started.add(new QueueRunner(queue, pipeline, Clock.systemUTC(), config.retry(), threads, metrics, recent));
            PipelineReload reload = new PipelineReload(checked, pipeline);
            PasswdFileAuthenticator authenticator = new PasswdFileAuthenticator(injector.getInstance(Directory.class));
            started.add(authenticator);
            Optional<TlsContext> tls = TlsKeyMaterial.load(config);
            SmtpMetrics smtpMetrics = new SmtpMetrics(metrics);
            smtpMetrics.registerAtZero(config.smtp().listeners().stream().map(ListenerSettings::name).toList());
            InboundQueue intake = new SubmissionHeaders(new SmtpIntake(queue), config.hostname(), ZoneId.systemDefault());
            // DMARC first: its refusal is the more precise, and it spares rspamd the forgeries.
            List<MessageCheck> checks = new ArrayList<>();
            if (config.dmarcReject()) {
                DmarcRejection dmarc = new DmarcRejection(injector.getInstance(MailAuthenticator.class), config.authorizedNetworks());
                started.add(dmarc);
                checks.add(dmarc);
            }
            config.rspamdReject().ifPresent(url -> checks.add(new SpamRejection(RspamdClient.of(url, SpamRejection.TIMEOUT),
                    config.authorizedNetworks())));
            if (!checks.isEmpty()) {
                intake = new MessageChecks(intake, checks, MESSAGE_CHECK_BUDGET);
            }
            SmtpServer smtp = new SmtpServer(config.smtp(), intake,
                    injector.getInstance(RecipientPolicy.class), injector.getInstance(SenderPolicy.class), authenticator, tls, SmtpEvents.all(List.of(smtpMetrics, new SmtpRejectionLog())));
            Optional<MetricsEndpoint> endpoint = Optional.empty();
            if (config.metricsHttp().isPresent()) {
                // Before SMTP: a taken metrics port fails the start before any mail is accepted.
                HealthCheck health = new ServerHealth(config.smtp().listeners().stream().map(ListenerSettings::name).toList(),
                        smtp::listening, config.spool(), FileMailQueue.MIN_FREE_BYTES, queue::unavailable);
                AdminToken token = new AdminToken(config.adminToken());
                token.exposure().ifPresent(LOG::warn);
                AdminApi admin = new AdminApi(token, queue, new AdminApi.Server() {
                    @Override
                    public PipelineView pipeline() {
                        return pipeline.current().view();
                    }

                    @Override
                    public List<ConfigProblem> reloadPipeline() {
                        return reload.run();
                    }
                }, new Repositories(config.pipeline(), config.directory()), recent, Clock.systemUTC());
                endpoint = Optional.of(MetricsEndpoint.start(MetricsAddress.parse(config.metricsHttp().get()), metrics, health,
                        Optional.of(admin)));
                started.add(endpoint.get());
            }
            started.add(smtp);
            smtp.start();
            LOG.info("Postlet ready: {} on {}, domains {}, maildir {}, spool {}", config.hostname(),
                    config.smtp().listeners().stream().map(l -> l.name() + "=" + l.bind() + ":" + smtp.port(l.name())).toList(),
                    config.domains(), config.maildirRoot(), config.spool());
            return new PostletServer(checked, reload, smtp, queue, endpoint, started);
        } catch (IOException | RuntimeException e) {
            stop(started);
            throw e;
        }
    }

    private static void registerQueueGauges(MetricRegistry metrics, MailQueue queue) {
        // One look at the queue serves both gauges of a scrape.
        CachedGauge<QueueSize> depth = new CachedGauge<>(1, TimeUnit.SECONDS) {
            @Override
            protected QueueSize loadValue() {
                return queue.size();
            }
        };
        metrics.gauge(ServerMetric.SPOOL_DEPTH.dropwizardName(), () -> () -> depth.getValue().mails());
        metrics.gauge(ServerMetric.SPOOL_DEFERRED.dropwizardName(), () -> () -> depth.getValue().deferred());
        metrics.gauge(ServerMetric.SPOOL_HELD.dropwizardName(), () -> () -> depth.getValue().held());
        metrics.gauge(ServerMetric.SPOOL_OLDEST_AGE.dropwizardName(), () -> () -> depth.getValue().oldest()
                .map(t -> Duration.between(t, Instant.now()).toSeconds()).orElse(0L));
    }

    /** Free space as the scrape asks, for alerts before a full disk turns mail away. */
    private static void registerFreeSpace(MetricRegistry metrics, ServerMetric metric, Path folder) {
        metrics.gauge(metric.dropwizardName(), () -> () -> {
            try {
                return Files.getFileStore(folder).getUsableSpace();
            } catch (IOException e) {
                return -1L; // the folder is gone: -1 rather than a scrape error, and the health check says why
            }
        });
    }

    private static void stop(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
    }

    /** The port a listener is bound to (useful when the configuration says port 0). */
    public int port(String listener) {
        return smtp.port(listener);
    }

    /** Where {@code GET /metrics} and {@code /health} are served, if {@code metrics.http} is set. */
    public Optional<InetSocketAddress> metricsAddress() {
        return metricsEndpoint.map(MetricsEndpoint::address);
    }

    /** The queue of accepted mail, for operators' commands and tests. */
    public MailQueue queue() {
        return queue;
    }

    /** The configuration this server runs with. */
    public ServerConfig config() {
        return config;
    }

    /**
     * Reads the pipeline file again and, if it is valid, makes it the pipeline for all new mail;
     * see {@link PipelineReload#run()}.
     *
     * @return the problems of an invalid pipeline; empty when the new one is in use
     */
    public List<ConfigProblem> reloadPipeline() {
        return reload.run();
    }

    /** Stops accepting mail, finishes what is in flight, leaves the rest in the spool. */
    @Override
    public void close() {
        LOG.info("Postlet stopping");
        stop(started);
        LOG.info("Postlet stopped");
    }

    private static ClassLoader extensions(Path dir) {
        ClassLoader parent = PostletServer.class.getClassLoader();
        if (!Files.isDirectory(dir)) {
            return parent;
        }
        List<URL> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path jar : files) {
                jars.add(jar.toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", dir, e.getMessage());
        }
        return jars.isEmpty() ? parent : new URLClassLoader(jars.toArray(URL[]::new), parent);
    }
}
