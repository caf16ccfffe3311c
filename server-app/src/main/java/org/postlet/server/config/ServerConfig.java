package org.postlet.server.config;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.postlet.mailet.IpNetwork;
import org.postlet.queue.rabbitmq.RabbitMqSettings;
import org.postlet.server.context.SenderLogin;
import org.postlet.server.processing.RetryPolicy;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.SmtpSettings;

/**
 * The validated content of {@code postlet.yaml} (docs/configuration.md), with every path resolved against
 * the configuration directory.
 *
 * @param file               the file this was read from
 * @param hostname           the server's host name
 * @param domains            the local domains, lower-case
 * @param users              the Dovecot passwd-file of local users
 * @param aliases            the aliases file, if configured
 * @param smtp               the SMTP server's settings
 * @param authorizedNetworks networks whose clients may relay without AUTH
 * @param tls                TLS key material, if configured
 * @param spool              the spool directory
 * @param maildirRoot        the root of all Maildirs
 * @param maildirLayout      the mailbox path under the root, in Dovecot's variables
 * @param maildirQuota       the storage limit of a mailbox whose passwd-file entry sets none
 * @param pipeline           the pipeline file
 * @param metricsHttp        {@code host:port} of the metrics endpoint, if enabled
 * @param retry              when mail deferred by a temporary failure is tried again, and for how long
 * @param senderLogin        which senders an authenticated user may use ({@code smtp.senderLogin})
 * @param queueType          which queue holds accepted mail ({@code queue.type})
 * @param adminToken         the file holding the admin API's bearer token ({@code admin.token}); no file, no API
 * @param rabbitmq           the broker and shared folder of {@code queue.type: rabbitmq}; present exactly then
 * @param dnsResolvers       the recursive DNS resolvers to ask ({@code dns.resolvers}); absent: the system's;
 *                           an empty list: none
 * @param dmarcReject        whether mail failing DMARC under {@code p=reject} is refused at the end of DATA
 *                           ({@code smtp.dmarcReject})
 * @param rspamdReject       the base URL of the rspamd asked at the end of DATA, whose {@code reject} is refused
 *                           there ({@code smtp.rspamdReject}); empty: no such check
 */
public record ServerConfig(Path file, String hostname, List<String> domains, Path users, Optional<Path> aliases,
                           SmtpSettings smtp, List<IpNetwork> authorizedNetworks, Optional<TlsConfig> tls, Path spool,
                           Path maildirRoot, String maildirLayout, OptionalLong maildirQuota, Path pipeline, Optional<String> metricsHttp,
                           RetryPolicy retry, SenderLogin senderLogin, QueueType queueType,
                           Path adminToken, Optional<RabbitMqSettings> rabbitmq,
                           Optional<List<InetSocketAddress>> dnsResolvers, boolean dmarcReject,
                           Optional<String> rspamdReject) {

    public ServerConfig {
        dnsResolvers = dnsResolvers.map(List::copyOf);
        domains = List.copyOf(domains);
        authorizedNetworks = List.copyOf(authorizedNetworks);
    }

    /**
     * The effective value of every setting that decides who may send what through this server,
     * defaults included, one {@code key = value} line each, as {@code postconf -n} shows Postfix's:
     * what {@code bin/postlet check} prints, so an operator sees what the server will do.
     */
    public List<String> effectiveSecuritySettings() {
        List<String> lines = new ArrayList<>();
        for (ListenerSettings l : smtp.listeners()) {
            lines.add("smtp.listeners." + l.name() + " = " + l.bind() + ":" + l.port() + " tls=" + lower(l.tls())
                    + " auth=" + lower(l.auth()));
        }
        lines.add("smtp.authorizedNetworks = " + (authorizedNetworks.isEmpty()
                ? "(none: no client may relay without AUTH)"
                : String.join(", ", authorizedNetworks.stream().map(IpNetwork::toString).toList())));
        lines.add("domains = " + (domains.isEmpty() ? "(none: no mail is delivered here)" : String.join(", ", domains)));
        lines.add("users = " + users);
        lines.add("smtp.senderLogin = " + lower(senderLogin));
        lines.add("smtp.maxMessageSize = " + smtp.maxMessageSize());
        lines.add("smtp.maxRecipients = " + smtp.maxRecipients());
        lines.add("tls.keystore = " + tls.map(t -> t.keystore().toString()).orElse(smtp.usesTls()
                ? "(generated self-signed at first start)" : "(unused: no listener uses TLS)"));
        lines.add("metrics.http = " + metricsHttp.orElse("(off)"));
        lines.add("admin.token = " + adminToken + (Files.isRegularFile(adminToken)
                ? (metricsHttp.isPresent() ? "" : " (unused: the admin API needs metrics.http)")
                : " (no such file: the admin API and the console are off)"));
        lines.add("smtp.dmarcReject = " + dmarcReject);
        lines.add("smtp.rspamdReject = " + rspamdReject.orElse("(off)"));
        lines.add("dns.resolvers = " + dnsResolvers.map(l -> l.isEmpty() ? "(none: no DNS lookups; remote delivery only"
                + " to a gateway given by address)" : String.join(", ", l.stream().map(a -> a.getAddress().getHostAddress()
                + ":" + a.getPort()).toList())).orElse("(the system's, from /etc/resolv.conf)"));
        return lines;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The directory the configuration was read from. */
    public Path directory() {
        return file.toAbsolutePath().getParent();
    }

    /**
     * TLS key material.
     *
     * @param keystore a PKCS#12 file
     * @param password its password
     */
    public record TlsConfig(Path keystore, String password) {
    }
}
