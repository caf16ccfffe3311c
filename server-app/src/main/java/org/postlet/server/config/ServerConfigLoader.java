package org.postlet.server.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.postlet.mailet.IpNetwork;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ParameterValues;
import org.postlet.server.context.SenderLogin;
import org.postlet.server.metrics.MetricsAddress;
import org.postlet.server.spool.RetryPolicy;
import org.postlet.smtp.server.AuthMode;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.SmtpLimits;
import org.postlet.smtp.server.SmtpSettings;
import org.postlet.smtp.server.TlsMode;
import org.postlet.smtp.tls.TlsContext;

/**
 * Reads and validates {@code DIR/postlet.yaml} (or {@code postlet.xml}). Every problem is collected
 * so {@code bin/postlet check} can list them all at once.
 */
public final class ServerConfigLoader {

    private static final Set<String> KEYS = Set.of("hostname", "domains", "users", "aliases", "smtp.listeners.name",
            "smtp.listeners.bind", "smtp.listeners.port", "smtp.listeners.tls", "smtp.listeners.auth",
            "smtp.maxMessageSize", "smtp.maxRecipients", "smtp.authorizedNetworks", "smtp.timeouts.command",
            "smtp.timeouts.data", "smtp.limits.connections", "smtp.limits.connectionsPerClient",
            "smtp.limits.commandsPerSession", "smtp.limits.errorsPerSession", "smtp.limits.authFailures",
            "smtp.limits.authFailureDelay", "smtp.limits.authFailuresPerClient", "tls.keystore", "tls.password", "spool", "storage.maildir.root",
            "storage.maildir.layout", "storage.maildir.quota", "pipeline", "metrics.http",
            "retry.delay", "retry.maxDelay", "retry.giveUpAfter", "smtp.senderLogin");

    private static final long DEFAULT_MAX_MESSAGE_SIZE = 25L * 1024 * 1024;

    /** The main configuration file in {@code dir}: {@code postlet.yaml}, else {@code postlet.xml}. */
    public static Path mainFile(Path dir) {
        Path yaml = dir.resolve("postlet.yaml");
        Path xml = dir.resolve("postlet.xml");
        return Files.exists(yaml) || !Files.exists(xml) ? yaml : xml;
    }

    /**
     * Loads the configuration in {@code dir}.
     *
     * @throws InvalidConfigException listing every problem found
     */
    public ServerConfig load(Path dir) throws InvalidConfigException {
        Path file = mainFile(dir);
        BaseHierarchicalConfiguration c = ConfigFiles.read(file);
        SourceText src = SourceText.of(file);
        List<ConfigProblem> problems = new ArrayList<>();
        Path base = file.toAbsolutePath().getParent();

        for (Iterator<String> keys = c.getKeys(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KEYS.contains(key) && !key.startsWith("[@")) {
                String leaf = key.substring(key.lastIndexOf('.') + 1);
                problems.add(src.problem(src.findKey(leaf, 1), "unknown key '" + key + "'",
                        "remove it or correct its spelling; the keys are listed in docs and conf/postlet.yaml"));
            }
        }

        String hostname = c.getString("hostname", defaultHostname());
        if (!hostname.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            problems.add(src.problem(src.findKey("hostname", 1), "hostname '" + hostname + "' is not a host name",
                    "write a fully qualified name such as mx.example.test"));
        }
        List<String> domains = new ArrayList<>();
        for (String d : c.getList(String.class, "domains", List.of(hostname))) {
            domains.add(d.strip().toLowerCase(Locale.ROOT));
        }

        List<ListenerSettings> listeners = new ArrayList<>();
        List<HierarchicalConfiguration<ImmutableNode>> listenerNodes = c.configurationsAt("smtp.listeners");
        int searchFrom = src.findKey("listeners", 1);
        for (HierarchicalConfiguration<ImmutableNode> l : listenerNodes) {
            String name = l.getString("name", "smtp" + (listeners.size() + 1));
            int line = src.findOr("name", searchFrom, searchFrom);
            searchFrom = line + 1;
            int portLine = src.findOr("port", line, line);
            int tlsLine = src.findOr("tls", line, line);
            int port = intValue(l, "port", 25, src, portLine, problems);
            if (port < 0 || port > 65535) {
                problems.add(src.problem(portLine, "listener " + name + ": port " + port + " is out of range",
                        "use a port between 1 and 65535"));
            }
            TlsMode tls = enumValue(TlsMode.class, l.getString("tls", "none"), "listener " + name + ": tls", src, tlsLine, problems);
            AuthMode auth = enumValue(AuthMode.class, l.getString("auth", "none"), "listener " + name + ": auth", src,
                    src.findOr("auth", line, line), problems);
            listeners.add(new ListenerSettings(name, l.getString("bind", "0.0.0.0"), port, tls, auth));
        }
        if (listenerNodes.isEmpty()) {
            listeners.add(new ListenerSettings("mx", "0.0.0.0", 2525, TlsMode.NONE, AuthMode.NONE));
        }
        checkUniqueListeners(listeners, src, problems);

        long maxSize = sizeValue(c, "smtp.maxMessageSize", DEFAULT_MAX_MESSAGE_SIZE, src, problems);
        int maxRecipients = intValue(c, "smtp.maxRecipients", 100, src, src.findKey("maxRecipients", 1), problems);
        if (maxRecipients < 1) {
            problems.add(src.problem(src.findKey("maxRecipients", 1), "smtp.maxRecipients must be at least 1", "write e.g. 100"));
        }
        Duration commandTimeout = durationValue(c, "smtp.timeouts.command", Duration.ofSeconds(300), src, problems);
        Duration dataTimeout = durationValue(c, "smtp.timeouts.data", Duration.ofSeconds(600), src, problems);
        SmtpLimits limits = limits(c, src, problems);

        List<IpNetwork> networks = new ArrayList<>();
        List<String> networkTexts = c.containsKey("smtp.authorizedNetworks")
                ? c.getList(String.class, "smtp.authorizedNetworks", List.of())
                : List.of("127.0.0.0/8", "::1/128");
        for (String n : networkTexts) {
            try {
                networks.add(IpNetwork.parse(n));
            } catch (IllegalArgumentException e) {
                problems.add(src.problem(src.findKey("authorizedNetworks", 1), "smtp.authorizedNetworks: " + e.getMessage(),
                        "fix or remove that entry"));
            }
        }

        Path users = base.resolve(c.getString("users", "users.passwd"));
        if (!Files.isReadable(users)) {
            problems.add(src.problem(src.findKey("users", 1), "users file " + users + " cannot be read",
                    "create it (Dovecot passwd-file: user@domain:{SCHEME}hash) or fix the path"));
        }
        Optional<Path> aliases = Optional.ofNullable(c.getString("aliases", null)).map(base::resolve);
        if (aliases.isPresent() && !Files.isReadable(aliases.get())) {
            problems.add(src.problem(src.findKey("aliases", 1), "aliases file " + aliases.get() + " cannot be read",
                    "create it (one 'alias@domain: target, target' per line) or remove the key"));
        }
        Optional<ServerConfig.TlsConfig> tls = Optional.ofNullable(c.getString("tls.keystore", null))
                .map(k -> new ServerConfig.TlsConfig(base.resolve(k), c.getString("tls.password", "")));
        tls.ifPresent(t -> checkKeystore(t, src, problems));

        RetryPolicy d = RetryPolicy.DEFAULT;
        RetryPolicy retry = new RetryPolicy(durationValue(c, "retry.delay", d.firstDelay(), src, problems),
                durationValue(c, "retry.maxDelay", d.maxDelay(), src, problems),
                durationValue(c, "retry.giveUpAfter", d.giveUpAfter(), src, problems));
        if (retry.maxDelay().compareTo(retry.firstDelay()) < 0 || retry.firstDelay().isZero()) {
            problems.add(src.problem(src.findKey("retry", 1), "retry.delay must be positive and at most retry.maxDelay",
                    "write e.g. retry: { delay: 1m, maxDelay: 1h, giveUpAfter: 5d }"));
        }
        String metricsHttp = c.getString("metrics.http", null);
        if (metricsHttp != null) {
            try {
                MetricsAddress.parse(metricsHttp);
            } catch (IllegalArgumentException e) {
                problems.add(src.problem(src.findKey("http", 1), "metrics.http: " + e.getMessage(), MetricsAddress.FORMAT));
            }
        }
        Path pipeline = base.resolve(c.getString("pipeline", "pipeline.yaml"));
        String layout = c.getString("storage.maildir.layout", "%d/%n");
        OptionalLong quota = c.containsKey("storage.maildir.quota")
                ? OptionalLong.of(sizeValue(c, "storage.maildir.quota", 0, src, problems)) : OptionalLong.empty();
        SenderLogin senderLogin = enumValue(SenderLogin.class, c.getString("smtp.senderLogin", "owned"), "smtp.senderLogin",
                src, src.findKey("senderLogin", 1), problems);
        if (problems.isEmpty()) {
            SmtpSettings smtp = new SmtpSettings(hostname, listeners, maxSize, maxRecipients, commandTimeout, dataTimeout,
                    limits);
            return new ServerConfig(file, hostname, domains, users, aliases, smtp, networks, tls,
                    base.resolve(c.getString("spool", "../var/spool")).normalize(),
                    base.resolve(c.getString("storage.maildir.root", "../var/mail")).normalize(), layout, quota, pipeline,
                    Optional.ofNullable(c.getString("metrics.http", null)), retry, senderLogin);
        }
        throw new InvalidConfigException(problems);
    }

    /** {@code smtp.limits}: every key optional, each at least 1; the defaults are {@link SmtpLimits#DEFAULTS}. */
    private static SmtpLimits limits(HierarchicalConfiguration<ImmutableNode> c, SourceText src, List<ConfigProblem> problems) {
        SmtpLimits d = SmtpLimits.DEFAULTS;
        int connections = positive(c, "connections", d.connections(), src, problems);
        int perClient = positive(c, "connectionsPerClient", d.connectionsPerClient(), src, problems);
        int commands = positive(c, "commandsPerSession", d.commandsPerSession(), src, problems);
        int errors = positive(c, "errorsPerSession", d.errorsPerSession(), src, problems);
        int authFailures = positive(c, "authFailures", d.authFailures(), src, problems);
        Duration delay = durationValue(c, "smtp.limits.authFailureDelay", d.authFailureDelay(), src, problems);
        int authFailuresPerClient = positive(c, "authFailuresPerClient", d.authFailuresPerClient(), src, problems);
        return new SmtpLimits(connections, perClient, commands, errors, authFailures, delay, authFailuresPerClient);
    }

    private static int positive(HierarchicalConfiguration<ImmutableNode> c, String leaf, int def, SourceText src,
                                List<ConfigProblem> problems) {
        String key = "smtp.limits." + leaf;
        int line = src.findKey(leaf, 1);
        int value = intValue(c, key, def, src, line, problems);
        if (value < 1) {
            problems.add(src.problem(line, key + " is " + value + " but must be at least 1", "write a number such as " + def));
            return def;
        }
        return value;
    }

    /**
     * {@code check} opens the keystore now, so a wrong password or a file that is not PKCS#12 is found
     * before start. A keystore that does not exist yet is generated there at first start (contract
     * §2), so it is a problem only when its folder cannot be written.
     */
    private static void checkKeystore(ServerConfig.TlsConfig tls, SourceText src, List<ConfigProblem> problems) {
        int line = src.findKey("keystore", 1);
        Path file = tls.keystore();
        if (!Files.exists(file)) {
            Path existing = file.toAbsolutePath().getParent();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null || !Files.isWritable(existing)) {
                problems.add(src.problem(line, "tls.keystore " + file + " does not exist and cannot be generated because "
                        + existing + " is not writable", "put a PKCS#12 keystore there, or make the folder writable"));
            }
            return;
        }
        try {
            TlsContext.fromKeystore(file, tls.password().toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            problems.add(src.problem(line, e.getMessage(),
                    "check tls.password and that the file is a PKCS#12 keystore with the server's key and certificate chain"));
        }
    }

    private static void checkUniqueListeners(List<ListenerSettings> listeners, SourceText src, List<ConfigProblem> problems) {
        Set<String> names = new HashSet<>();
        for (ListenerSettings l : listeners) {
            if (!names.add(l.name())) {
                problems.add(src.problem(src.findText(l.name(), 1), "two listeners are named '" + l.name() + "'",
                        "give each listener its own name"));
            }
        }
    }

    private static String defaultHostname() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static int intValue(HierarchicalConfiguration<ImmutableNode> c, String key, int def, SourceText src, int line,
                                List<ConfigProblem> problems) {
        String text = c.getString(key, null);
        if (text == null) {
            return def;
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            problems.add(src.problem(line, key + " is '" + text + "', not a whole number", "write a number such as " + def));
            return def;
        }
    }

    private static long sizeValue(HierarchicalConfiguration<ImmutableNode> c, String key, long def, SourceText src,
                                  List<ConfigProblem> problems) {
        String text = c.getString(key, null);
        try {
            return text == null ? def : ParameterValues.size(key, text);
        } catch (MailetException e) {
            problems.add(src.problem(src.findKey(leaf(key), 1), e.getMessage(), "write bytes or a size such as 25MB"));
            return def;
        }
    }

    private static Duration durationValue(HierarchicalConfiguration<ImmutableNode> c, String key, Duration def,
                                          SourceText src, List<ConfigProblem> problems) {
        String text = c.getString(key, null);
        try {
            return text == null ? def : ParameterValues.duration(key, text);
        } catch (MailetException e) {
            problems.add(src.problem(src.findKey(leaf(key), 1), e.getMessage(), "write a duration such as 300s"));
            return def;
        }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String what, SourceText src, int line,
                                                   List<ConfigProblem> problems) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text.strip())) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : " | ").append(e.name().toLowerCase(Locale.ROOT));
        }
        problems.add(src.problem(line, what + " is '" + text + "'", "write one of " + allowed));
        return type.getEnumConstants()[0];
    }

    private static String leaf(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }
}
