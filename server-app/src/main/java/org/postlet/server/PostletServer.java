package org.postlet.server;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postlet.server.auth.PasswdFileAuthenticator;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.config.ServerConfigLoader;
import org.postlet.server.config.TlsKeyMaterial;
import org.postlet.server.context.RunMode;
import org.postlet.server.context.ServerMailetContext;
import org.postlet.server.directory.Directory;
import org.postlet.server.pipeline.Pipeline;
import org.postlet.server.pipeline.PipelineBuilder;
import org.postlet.server.pipeline.PipelineLoader;
import org.postlet.server.spool.FileSpool;
import org.postlet.server.spool.QueueRunner;
import org.postlet.server.spool.RetryPolicy;
import org.postlet.smtp.policy.RecipientPolicy;
import org.postlet.smtp.server.SmtpServer;
import org.postlet.smtp.tls.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Postlet server: configuration, pipeline, spool, workers and SMTP listeners, started and
 * stopped in the order that keeps mail safe (the spool opens before SMTP accepts; SMTP stops
 * before the workers).
 */
public final class PostletServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostletServer.class);

    private final ServerConfig config;
    private final Pipeline pipeline;
    private final FileSpool spool;
    private final QueueRunner runner;
    private final SmtpServer smtp;
    private final PasswdFileAuthenticator authenticator;

    private PostletServer(ServerConfig config, Pipeline pipeline, FileSpool spool, QueueRunner runner, SmtpServer smtp,
                          PasswdFileAuthenticator authenticator) {
        this.config = config;
        this.pipeline = pipeline;
        this.spool = spool;
        this.runner = runner;
        this.smtp = smtp;
        this.authenticator = authenticator;
    }

    /**
     * A configuration read and checked: what {@code bin/postlet check} reports on and what
     * {@link #start} runs.
     *
     * @param config   the main configuration
     * @param injector the server's services
     * @param pipeline the initialised pipeline
     */
    public record Checked(ServerConfig config, Injector injector, Pipeline pipeline) {
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
        ServerConfig config = new ServerConfigLoader().load(confDir);
        List<ConfigProblem> problems = new ArrayList<>();
        Directory directory = null;
        try {
            directory = Directory.load(config.domains(), config.users(), config.aliases());
        } catch (InvalidConfigException e) {
            problems.addAll(e.problems());
        }
        PipelineLoader.Loaded pipelineFile = null;
        try {
            pipelineFile = new PipelineLoader().read(config.pipeline());
        } catch (InvalidConfigException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        Injector injector = Guice.createInjector(new PostletModule(config, directory, Clock.systemUTC(), mode));
        ClassLoader extensions = extensions(home.resolve("lib/ext"));
        Pipeline pipeline = new PipelineBuilder(injector, extensions, injector.getInstance(ServerMailetContext.class))
                .build(pipelineFile);
        return new Checked(config, injector, pipeline);
    }

    /**
     * Checks the configuration, opens the spool, starts the workers and the SMTP listeners.
     *
     * @throws InvalidConfigException if the configuration is invalid (nothing is started)
     * @throws IOException            if the spool cannot be opened or a port cannot be bound
     */
    public static PostletServer start(Path confDir, Path home) throws InvalidConfigException, IOException {
        Checked checked = check(confDir, home);
        ServerConfig config = checked.config();
        FileSpool spool;
        try {
            spool = checked.injector().getInstance(FileSpool.class);
        } catch (ProvisionException e) {
            checked.pipeline().destroy();
            throw e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getMessage(), e);
        }
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        QueueRunner runner = new QueueRunner(spool, checked::pipeline, Clock.systemUTC(), RetryPolicy.DEFAULT, threads);
        PasswdFileAuthenticator authenticator = new PasswdFileAuthenticator(checked.injector().getInstance(Directory.class));
        SmtpServer smtp;
        try {
            Optional<TlsContext> tls = TlsKeyMaterial.load(config);
            smtp = new SmtpServer(config.smtp(), spool, checked.injector().getInstance(RecipientPolicy.class),
                    authenticator, tls);
        } catch (IOException | RuntimeException e) {
            authenticator.close();
            runner.close();
            spool.close();
            checked.pipeline().destroy();
            throw e;
        }
        try {
            smtp.start();
        } catch (IOException | RuntimeException e) {
            smtp.close();
            authenticator.close();
            runner.close();
            spool.close();
            checked.pipeline().destroy();
            throw e;
        }
        LOG.info("Postlet ready: {} on {}, domains {}, maildir {}, spool {}", config.hostname(),
                config.smtp().listeners().stream().map(l -> l.name() + "=" + l.bind() + ":" + smtp.port(l.name())).toList(),
                config.domains(), config.maildirRoot(), config.spool());
        return new PostletServer(config, checked.pipeline(), spool, runner, smtp, authenticator);
    }

    /** The port a listener is bound to (useful when the configuration says port 0). */
    public int port(String listener) {
        return smtp.port(listener);
    }

    /** The configuration this server runs with. */
    public ServerConfig config() {
        return config;
    }

    /** Stops accepting mail, finishes what is in flight, leaves the rest in the spool. */
    @Override
    public void close() {
        LOG.info("Postlet stopping");
        smtp.close();
        authenticator.close();
        runner.close();
        spool.close();
        pipeline.destroy();
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
