package org.postlet.server.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.postlet.mailet.IpNetwork;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ParameterValues;
import org.postlet.mailets.spam.RspamdClient;
import org.postlet.queue.rabbitmq.RabbitMqSettings;
import org.postlet.server.context.SenderLogin;
import org.postlet.server.metrics.MetricsAddress;
import org.postlet.server.processing.RetryPolicy;
import org.postlet.smtp.server.AuthMode;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.SmtpLimits;
import org.postlet.smtp.server.SmtpSettings;
import org.postlet.smtp.server.TlsMode;
import org.postlet.smtp.tls.TlsContext;
import org.postlet.outbound.route.Hop;

/**
 * Reads and validates {@code DIR/postlet.yaml} (or {@code postlet.xml}). Every problem is collected
 * so {@code bin/postlet check} can list them all at once.
 */
public final class ServerConfigLoader {

    /**
     * Every key, dotted from the top; the keys of a list's entries stand under the list's key
     * ({@code smtp.listeners.port}). A new key is one entry here and one typed read in
     * {@link #load} ({@code c.integer("smtp.x", 10)}, {@code c.strings(...)}, ...); absent, empty
     * and {@code []} are then handled alike for every key.
     */
    private static final Set<String> KEYS = Set.of("hostname", "domains", "users", "aliases", "smtp.listeners.name",
            "smtp.listeners.bind", "smtp.listeners.port", "smtp.listeners.tls", "smtp.listeners.auth",
            "smtp.maxMessageSize", "smtp.maxRecipients", "smtp.authorizedNetworks", "smtp.timeouts.command",
            "smtp.timeouts.data", "smtp.limits.connections", "smtp.limits.connectionsPerClient",
            "smtp.limits.commandsPerSession", "smtp.limits.errorsPerSession", "smtp.limits.authFailures",
            "smtp.limits.authFailureDelay", "smtp.limits.authFailuresPerClient", "smtp.limits.recipientOvershoot",
            "smtp.listeners.connections", "smtp.listeners.connectionsPerClient", "tls.keystore", "tls.password", "spool", "storage.maildir.root",
            "storage.maildir.layout", "storage.maildir.quota", "pipeline", "metrics.http",
            "retry.delay", "retry.maxDelay", "retry.giveUpAfter", "smtp.senderLogin", "queue.type",
            "queue.uri", "queue.name", "queue.blobs", "admin.token", "dns.resolvers", "smtp.dmarcReject",
            "smtp.rspamdReject");

    private static final long DEFAULT_MAX_MESSAGE_SIZE = 25L * 1024 * 1024;

    /** The main configuration file in {@code dir}: {@code postlet.yaml}, else {@code postlet.xml}. */
    public static Path mainFile(Path dir) {
        Path yaml = dir.resolve("postlet.yaml");
        Path xml = dir.resolve("postlet.xml");
        return Files.exists(yaml) || !Files.exists(xml) ? yaml : xml;
    }

    /**
     * What was read: the configuration, with defaults in place of the values that have problems,
     * and those problems. Lets {@code check} go on to the files the configuration names, so one
     * run reports the problems of every file.
     *
     * @param config   the configuration; empty when not even that could be made (no listener)
     * @param problems every problem found, in line order
     */
    public record Loaded(Optional<ServerConfig> config, List<ConfigProblem> problems) {
        public Loaded {
            problems = List.copyOf(problems);
        }
    }

    /**
     * Loads the configuration in {@code dir}.
     *
     * @throws InvalidConfigException listing every problem found
     */
    public ServerConfig load(Path dir) throws InvalidConfigException {
        Loaded loaded = read(dir);
        if (!loaded.problems().isEmpty()) {
            throw new InvalidConfigException(loaded.problems());
        }
        return loaded.config().orElseThrow();
    }

    /**
     * Reads the configuration in {@code dir}, going on past problems in single values.
     *
     * @throws InvalidConfigException only when the file is missing, empty or not well-formed
     */
    public Loaded read(Path dir) throws InvalidConfigException {
        Path file = mainFile(dir);
        List<ConfigProblem> problems = new ArrayList<>();
        ConfigSection c = ConfigSection.of(file, ConfigFiles.read(file), problems);
        Path base = file.toAbsolutePath().getParent();
        c.checkKeys(KEYS);

        String hostname = c.string("hostname", defaultHostname());
        if (!hostname.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            c.problem("hostname", "hostname '" + hostname + "' is not a host name",
                    "write a fully qualified name such as mx.example.test");
        }
        List<String> domains = new ArrayList<>();
        for (String d : c.strings("domains", List.of(hostname))) {
            domains.add(d.toLowerCase(Locale.ROOT));
        }

        List<Listener> listeners = new ArrayList<>();
        Optional<List<ConfigSection>> listenerSections = c.sections("smtp.listeners");
        for (ConfigSection l : listenerSections.orElse(List.of())) {
            String name = l.string("name", "smtp" + (listeners.size() + 1));
            int port = l.integer("port", 25);
            if (port < 0 || port > 65535) {
                l.problem("port", "listener " + name + ": port " + port + " is out of range", "use a port between 1 and 65535");
            }
            TlsMode tls = l.choice(TlsMode.class, "tls", TlsMode.NONE);
            AuthMode auth = l.choice(AuthMode.class, "auth", AuthMode.NONE);
            listeners.add(new Listener(new ListenerSettings(name, l.string("bind", "0.0.0.0"), port, tls, auth,
                    listenerLimit(l, "connections", name), listenerLimit(l, "connectionsPerClient", name)), l.line()));
        }
        if (listenerSections.isEmpty()) {
            listeners.add(new Listener(new ListenerSettings("mx", "0.0.0.0", 2525, TlsMode.NONE, AuthMode.NONE), 0));
        } else if (listeners.isEmpty() && problems.isEmpty()) {
            c.problem("smtp.listeners", "smtp.listeners is empty: the server would receive no mail",
                    "list at least one listener, e.g. - { name: mx, bind: 0.0.0.0, port: 25 }");
        }
        checkUniqueListeners(listeners, c);

        long maxSize = c.size("smtp.maxMessageSize", DEFAULT_MAX_MESSAGE_SIZE);
        int maxRecipients = c.integer("smtp.maxRecipients", 100);
        if (maxRecipients < 1) {
            c.problem("smtp.maxRecipients", "smtp.maxRecipients must be at least 1", "write e.g. 100");
        }
        Duration commandTimeout = c.duration("smtp.timeouts.command", Duration.ofSeconds(300));
        Duration dataTimeout = c.duration("smtp.timeouts.data", Duration.ofSeconds(600));
        SmtpLimits limits = limits(c);

        // Absent: loopback may relay. [] means no network may relay without AUTH (never the default).
        List<IpNetwork> networks = new ArrayList<>();
        List<ConfigNode.Scalar> networkItems = c.list("smtp.authorizedNetworks").orElse(List.of(
                new ConfigNode.Scalar("127.0.0.0/8", false, 0), new ConfigNode.Scalar("::1/128", false, 0)));
        for (ConfigNode.Scalar n : networkItems) {
            try {
                networks.add(IpNetwork.parse(n.text().strip()));
            } catch (IllegalArgumentException e) {
                c.problem(n.line() > 0 ? n.line() : c.line("smtp.authorizedNetworks"),
                        "smtp.authorizedNetworks: " + e.getMessage(), "fix or remove that entry");
            }
        }

        Path users = path(c, base, "users", "users.passwd");
        if (!Files.isReadable(users)) {
            c.problem("users", "users file " + users + " cannot be read",
                    "create it (Dovecot passwd-file: user@domain:{SCHEME}hash) or fix the path");
        }
        Optional<Path> aliases = c.string("aliases").map(a -> path(c, base, "aliases", a));
        if (aliases.isPresent() && !Files.isReadable(aliases.get())) {
            c.problem("aliases", "aliases file " + aliases.get() + " cannot be read",
                    "create it (one 'alias@domain: target, target' per line) or remove the key");
        }
        Optional<ServerConfig.TlsConfig> tls = c.string("tls.keystore")
                .map(k -> new ServerConfig.TlsConfig(path(c, base, "tls.keystore", k), c.string("tls.password", "")));
        tls.ifPresent(t -> checkKeystore(t, c));

        RetryPolicy d = RetryPolicy.DEFAULT;
        RetryPolicy retry = new RetryPolicy(c.duration("retry.delay", d.firstDelay()),
                c.duration("retry.maxDelay", d.maxDelay()), c.duration("retry.giveUpAfter", d.giveUpAfter()));
        if (retry.maxDelay().compareTo(retry.firstDelay()) < 0 || retry.firstDelay().isZero()) {
            c.problem("retry", "retry.delay must be positive and at most retry.maxDelay",
                    "write e.g. retry: { delay: 1m, maxDelay: 1h, giveUpAfter: 5d }");
        }
        Optional<String> metricsHttp = c.string("metrics.http");
        metricsHttp.ifPresent(m -> c.parsed("metrics.http", null, MetricsAddress::parse, MetricsAddress.FORMAT));
        Path pipeline = path(c, base, "pipeline", "pipeline.yaml");
        Path adminToken = path(c, base, "admin.token", "admin.token").normalize();
        String layout = c.string("storage.maildir.layout", "%d/%n");
        OptionalLong quota = c.has("storage.maildir.quota")
                ? OptionalLong.of(c.size("storage.maildir.quota", 0)) : OptionalLong.empty();
        Path spool = path(c, base, "spool", "../var/spool").normalize();
        Path maildirRoot = path(c, base, "storage.maildir.root", "../var/mail").normalize();
        writable(c, "spool", spool);
        writable(c, "storage.maildir.root", maildirRoot);
        problems.sort(Comparator.comparingInt(ConfigProblem::line));
        if (listeners.isEmpty()) {
            return new Loaded(Optional.empty(), problems);
        }
        SenderLogin senderLogin = c.choice(SenderLogin.class, "smtp.senderLogin", SenderLogin.OWNED);
        QueueType queueType = c.choice(QueueType.class, "queue.type", QueueType.FILE);
        Optional<RabbitMqSettings> rabbitmq = queueType == QueueType.RABBITMQ
                ? rabbitMq(c, base, maildirRoot) : Optional.empty();
        Optional<List<InetSocketAddress>> dnsResolvers = dnsResolvers(c);
        boolean dmarcReject = c.bool("smtp.dmarcReject", false);
        Optional<String> rspamdReject = rspamdReject(c);
        SmtpSettings smtp = new SmtpSettings(hostname, listeners.stream().map(Listener::settings).toList(), maxSize,
                maxRecipients, commandTimeout, dataTimeout, limits);
        return new Loaded(Optional.of(new ServerConfig(file, hostname, domains, users, aliases, smtp, networks, tls, spool,
                maildirRoot, layout, quota, pipeline, metricsHttp, retry, senderLogin, queueType, adminToken, rabbitmq, dnsResolvers, dmarcReject,
                rspamdReject)), problems);
    }

    /**
     * {@code queue.uri}, {@code queue.name} and {@code queue.blobs} of {@code queue.type: rabbitmq};
     * the shared folder defaults to {@code .postlet-queue} under the Maildir root, which nodes
     * delivering into one Maildir root share already.
     */
    private static Optional<RabbitMqSettings> rabbitMq(ConfigSection c, Path base, Path maildirRoot) {
        String uri = c.string("queue.uri", RabbitMqSettings.DEFAULT_URI);
        String name = c.string("queue.name", RabbitMqSettings.DEFAULT_NAME);
        boolean valid = true;
        try {
            RabbitMqSettings.parseUri(uri);
        } catch (IllegalArgumentException e) {
            c.problem("queue.uri", "queue.uri: " + e.getMessage(), "write amqp://user:password@host:5672/ (amqps:// for TLS)");
            valid = false;
        }
        if (!RabbitMqSettings.validName(name)) {
            c.problem("queue.name", "queue.name: '" + name + "' is not a queue name", "use " + RabbitMqSettings.NAME_RULE
                    + " characters, e.g. postlet");
            valid = false;
        }
        Path blobs = path(c, base, "queue.blobs", maildirRoot.resolve(".postlet-queue").toString()).normalize();
        writable(c, "queue.blobs", blobs);
        return valid ? Optional.of(RabbitMqSettings.of(uri, name, blobs)) : Optional.empty();
    }

    /** {@code smtp.rspamdReject}: rspamd's base URL, checked as the Rspamd mailet checks its {@code url}; absent: off. */
    private static Optional<String> rspamdReject(ConfigSection c) {
        return c.parsed("smtp.rspamdReject", Optional.<String>empty(), text -> {
            try {
                RspamdClient.checkUri(text);
                return Optional.of(text.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("smtp.rspamdReject: " + e.getMessage());
            }
        }, "write the base URL of rspamd's normal worker, e.g. " + RspamdClient.URL_EXAMPLE);
    }

    /** {@code dns.resolvers}: IP addresses with an optional port (default 53); absent means the system's. */
    private static Optional<List<InetSocketAddress>> dnsResolvers(ConfigSection c) {
        Optional<List<ConfigNode.Scalar>> items = c.list("dns.resolvers");
        if (items.isEmpty()) {
            return Optional.empty();
        }
        List<InetSocketAddress> resolvers = new ArrayList<>();
        for (ConfigNode.Scalar item : items.get()) {
            int line = item.line() > 0 ? item.line() : c.line("dns.resolvers");
            try {
                Hop hop = Hop.parse(item.text(), 53);
                if (!hop.literal()) {
                    c.problem(line, "dns.resolvers: '" + item.text().strip() + "' is a name; a resolver is given by its"
                            + " address", "write an IP address with an optional port, e.g. 127.0.0.1:53 or [::1]:53");
                    continue;
                }
                resolvers.add(new InetSocketAddress(InetAddress.getByName(hop.host()), hop.port()));
            } catch (IllegalArgumentException | UnknownHostException e) {
                c.problem(line, "dns.resolvers: " + e.getMessage(), "write an IP address with an optional port, e.g. 127.0.0.1:53");
            }
        }
        return Optional.of(resolvers);
    }

    /** A path key, relative to the configuration folder; one the OS cannot name (e.g. with NUL) is a problem. */
    private static Path path(ConfigSection c, Path base, String key, String def) {
        String text = c.string(key, def);
        try {
            return base.resolve(text);
        } catch (InvalidPathException e) {
            c.problem(key, key + ": '" + text.replace("\0", "\\0") + "' is not a valid path (" + e.getReason() + ")",
                    "write a file or folder path, relative to " + base);
            return base.resolve(def);
        }
    }

    /** {@code check} finds a folder the server could not write before {@code run} fails on it. */
    private static void writable(ConfigSection c, String key, Path folder) {
        try {
            ParameterValues.writableFolder(key, folder);
        } catch (MailetException e) {
            String[] parts = e.getMessage().split(" — ", 2);
            c.problem(key, parts[0], parts.length > 1 ? parts[1] : "make it writable");
        }
    }

    /** A listener and the line it is written on, for problems found across listeners. */
    private record Listener(ListenerSettings settings, int line) {
    }

    /** {@code smtp.limits}: every key optional, each at least 1; the defaults are {@link SmtpLimits#DEFAULTS}. */
    private static SmtpLimits limits(ConfigSection c) {
        SmtpLimits d = SmtpLimits.DEFAULTS;
        int connections = positive(c, "connections", d.connections());
        int perClient = positive(c, "connectionsPerClient", d.connectionsPerClient());
        int commands = positive(c, "commandsPerSession", d.commandsPerSession());
        int errors = positive(c, "errorsPerSession", d.errorsPerSession());
        int authFailures = positive(c, "authFailures", d.authFailures());
        Duration delay = c.duration("smtp.limits.authFailureDelay", d.authFailureDelay());
        int authFailuresPerClient = positive(c, "authFailuresPerClient", d.authFailuresPerClient());
        int overshoot = c.integer("smtp.limits.recipientOvershoot", d.recipientOvershoot());
        if (overshoot < 0) {
            c.problem("smtp.limits.recipientOvershoot", "smtp.limits.recipientOvershoot is " + overshoot
                    + " but must be 0 or more", "write a number such as 1000");
            overshoot = d.recipientOvershoot();
        }
        return new SmtpLimits(connections, perClient, commands, errors, authFailures, delay, authFailuresPerClient)
                .withRecipientOvershoot(overshoot);
    }

    /** A listener's own {@code connections} or {@code connectionsPerClient}: optional, at least 1. */
    private static OptionalInt listenerLimit(ConfigSection l, String key, String name) {
        if (!l.has(key)) {
            return OptionalInt.empty();
        }
        int value = l.integer(key, 1);
        if (value < 1) {
            l.problem(key, "listener " + name + ": " + key + " is " + value + " but must be at least 1",
                    "write a number such as 100, or leave it out to use smtp.limits." + key);
            return OptionalInt.empty();
        }
        return OptionalInt.of(value);
    }

    private static int positive(ConfigSection c, String leaf, int def) {
        String key = "smtp.limits." + leaf;
        int value = c.integer(key, def);
        if (value < 1) {
            c.problem(key, key + " is " + value + " but must be at least 1", "write a number such as " + def);
            return def;
        }
        return value;
    }

    /**
     * {@code check} opens the keystore now, so a wrong password or a file that is not PKCS#12 is found
     * before start. A keystore that does not exist yet is generated there at first start
     * (docs/configuration.md), so it is a problem only when its folder cannot be written.
     */
    private static void checkKeystore(ServerConfig.TlsConfig tls, ConfigSection c) {
        int line = c.line("tls.keystore");
        Path file = tls.keystore();
        if (!Files.exists(file)) {
            Path existing = file.toAbsolutePath().getParent();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null || !Files.isWritable(existing)) {
                c.problem(line, "tls.keystore " + file + " does not exist and cannot be generated because "
                        + existing + " is not writable", "put a PKCS#12 keystore there, or make the folder writable");
            }
            return;
        }
        try {
            TlsContext.fromKeystore(file, tls.password().toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            c.problem(line, e.getMessage(),
                    "check tls.password and that the file is a PKCS#12 keystore with the server's key and certificate chain");
        }
    }

    /**
     * Two listeners cannot share a name, nor a port on overlapping addresses: the second bind
     * would fail at start, so {@code check} says it now. Port 0 (any free port) never collides.
     */
    private static void checkUniqueListeners(List<Listener> listeners, ConfigSection c) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < listeners.size(); i++) {
            ListenerSettings l = listeners.get(i).settings();
            int line = listeners.get(i).line() > 0 ? listeners.get(i).line() : c.line("smtp.listeners");
            if (!names.add(l.name())) {
                c.problem(line, "two listeners are named '" + l.name() + "'", "give each listener its own name");
            }
            for (int j = 0; j < i; j++) {
                ListenerSettings other = listeners.get(j).settings();
                if (l.port() != 0 && l.port() == other.port() && overlap(l.bind(), other.bind())) {
                    c.problem(line, "listener " + l.name() + " (" + l.bind() + ":" + l.port() + ") takes the port of listener "
                            + other.name() + " (" + other.bind() + ":" + other.port() + "); the second cannot bind",
                            "give each listener its own port, or bind them to different specific addresses");
                }
            }
        }
    }

    /** Whether two bind addresses can collide: equal, or either is a wildcard (0.0.0.0, ::). */
    private static boolean overlap(String a, String b) {
        return a.equalsIgnoreCase(b) || wildcard(a) || wildcard(b);
    }

    private static boolean wildcard(String bind) {
        return IpNetwork.parseAddress(bind).map(InetAddress::isAnyLocalAddress).orElse(false);
    }

    private static String defaultHostname() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

}
