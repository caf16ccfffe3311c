package org.postlet.mailet.testkit;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetContext;
import org.postlet.mailet.ProcessingState;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A {@link MailetContext} for unit tests: a server with the local domains, users and aliases you
 * give it, which records every mail a mailet sends and every line it logs instead of acting on
 * them.
 *
 * <pre>{@code
 * RecordingMailetContext context = RecordingMailetContext.builder()
 *         .localUsers("alice@example.test", "bob@example.test")
 *         .alias("team@example.test", "alice@example.test", "bob@example.test")
 *         .build();
 * mailet.init(FakeMailetConfig.builder().context(context).build());
 * mailet.service(mail);
 * assertThat(context.sentMails()).singleElement().extracting(SentMail::state).isEqualTo(ProcessingState.ROOT);
 * }</pre>
 *
 * <p>Local parts compare case-insensitively, as the server's directory does. Safe to use from
 * several threads, as a mailet may be.
 */
public final class RecordingMailetContext implements MailetContext {

    private final String hostname;
    private final Set<String> domains;
    private final Set<MailAddress> users;
    private final Map<MailAddress, List<MailAddress>> aliases;
    private final MailAddress postmaster;
    private final List<SentMail> sent = new CopyOnWriteArrayList<>();
    private final List<LogLine> log = new CopyOnWriteArrayList<>();
    private final Logger logger = new RecordingLogger();

    private RecordingMailetContext(Builder b) {
        this.hostname = b.hostname;
        this.domains = Set.copyOf(b.domains);
        this.users = Set.copyOf(b.users);
        this.aliases = Map.copyOf(b.aliases);
        this.postmaster = b.postmaster != null ? b.postmaster
                : new MailAddress("postmaster", b.domains.isEmpty() ? b.hostname : b.domains.iterator().next());
    }

    /** Starts a context; by default the host is {@code mx.example.test} and nothing is local. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link RecordingMailetContext}. A local user or alias makes its domain local, so
     * {@code .localUsers("alice@example.test")} is all a test of a delivery mailet needs.
     */
    public static final class Builder {
        private String hostname = "mx.example.test";
        private final Set<String> domains = new LinkedHashSet<>();
        private final Set<MailAddress> users = new LinkedHashSet<>();
        private final Map<MailAddress, List<MailAddress>> aliases = new LinkedHashMap<>();
        private MailAddress postmaster;

        private Builder() {
        }

        /** The server's host name, as in its banner and {@code Received:} headers. */
        public Builder hostname(String hostname) {
            if (hostname == null || hostname.isBlank()) {
                throw new IllegalArgumentException("hostname must not be empty");
            }
            this.hostname = hostname;
            return this;
        }

        /** Domains whose mail is delivered here, even with no users. */
        public Builder localDomains(String... names) {
            for (String d : names) {
                domains.add(d.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** Local users, e.g. {@code "alice@example.test"}; their domains become local. */
        public Builder localUsers(String... addresses) {
            for (String a : addresses) {
                MailAddress user = normalise(MailAddress.parse(a));
                users.add(user);
                domains.add(user.domain());
            }
            return this;
        }

        /**
         * An alias of a local domain and the addresses it expands to, local or remote; its domain
         * becomes local. Targets may be aliases themselves.
         */
        public Builder alias(String alias, String... targets) {
            if (targets.length == 0) {
                throw new IllegalArgumentException("alias " + alias + " needs at least one target");
            }
            MailAddress a = normalise(MailAddress.parse(alias));
            List<MailAddress> list = new ArrayList<>();
            for (String t : targets) {
                list.add(MailAddress.parse(t));
            }
            aliases.put(a, List.copyOf(list));
            domains.add(a.domain());
            return this;
        }

        /** The postmaster; by default {@code postmaster@} the first local domain, or the host name. */
        public Builder postmaster(String address) {
            this.postmaster = MailAddress.parse(address);
            return this;
        }

        /** Builds the context. */
        public RecordingMailetContext build() {
            return new RecordingMailetContext(this);
        }
    }

    /**
     * A mail a mailet handed to {@link MailetContext#sendMail}.
     *
     * @param sender     the envelope sender, empty for {@code <>}
     * @param recipients the envelope recipients
     * @param message    a copy of the message taken when it was sent, so later changes by the mailet do not show
     * @param state      the processor it was to start in
     * @param attributes the attributes it was to carry
     */
    public record SentMail(Optional<MailAddress> sender, List<MailAddress> recipients, MimeMessage message,
                           ProcessingState state, Map<String, Serializable> attributes) {
        /** Copies the recipients and attributes. */
        public SentMail {
            recipients = List.copyOf(recipients);
            attributes = Map.copyOf(attributes);
        }

        /** A mail sent without attributes. */
        public SentMail(Optional<MailAddress> sender, List<MailAddress> recipients, MimeMessage message,
                        ProcessingState state) {
            this(sender, recipients, message, state, Map.of());
        }

        /** The message's subject, or empty; convenient in assertions. */
        public Optional<String> subject() {
            try {
                return Optional.ofNullable(message.getSubject());
            } catch (MessagingException e) {
                throw new IllegalStateException("the sent message has an unreadable subject: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A line a mailet logged through {@link MailetContext#logger()}.
     *
     * @param level   its level
     * @param message the formatted message, with {@code {}} placeholders filled in
     * @param error   the throwable logged with it, if any
     */
    public record LogLine(Level level, String message, Optional<Throwable> error) {
        @Override
        public String toString() {
            return level + " " + message + error.map(e -> " (" + e + ")").orElse("");
        }
    }

    /** Every mail sent so far, in order. */
    public List<SentMail> sentMails() {
        return List.copyOf(sent);
    }

    /** Every line logged so far, in order, at all levels. */
    public List<LogLine> logLines() {
        return List.copyOf(log);
    }

    /** The lines logged at one level, e.g. {@code logLines(Level.WARN)}. */
    public List<LogLine> logLines(Level level) {
        return log.stream().filter(l -> l.level() == level).toList();
    }

    /** Forgets what was sent and logged, e.g. between two mails in one test. */
    public void clear() {
        sent.clear();
        log.clear();
    }

    @Override
    public String serverHostname() {
        return hostname;
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean isLocalUser(MailAddress address) {
        MailAddress a = normalise(address);
        return isLocalDomain(a.domain()) && (users.contains(a) || aliases.containsKey(a));
    }

    @Override
    public Collection<MailAddress> localMailboxes(MailAddress address) {
        if (!isLocalUser(address)) {
            return List.of();
        }
        Set<MailAddress> result = new LinkedHashSet<>();
        expand(normalise(address), result, new LinkedHashSet<>());
        return List.copyOf(result);
    }

    private void expand(MailAddress address, Set<MailAddress> into, Set<MailAddress> seen) {
        if (!seen.add(address)) {
            return; // an alias loop: each address counts once
        }
        List<MailAddress> targets = aliases.get(address);
        if (targets == null) {
            if (users.contains(address)) {
                into.add(address);
            }
            return;
        }
        for (MailAddress t : targets) {
            expand(normalise(t), into, seen);
        }
    }

    @Override
    public MailAddress postmaster() {
        return postmaster;
    }

    /**
     * Records the mail. Fails like the server would for a mail without recipients.
     *
     * @throws MessagingException if the message cannot be copied
     */
    @Override
    public void sendMail(Optional<MailAddress> sender, Collection<MailAddress> recipients, MimeMessage message,
                         ProcessingState state) throws MessagingException {
        Objects.requireNonNull(sender, "sender (Optional.empty() for the null sender)");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(state, "state");
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("sendMail needs at least one recipient");
        }
        sent.add(new SentMail(sender, List.copyOf(recipients), new MimeMessage(message), state));
    }

    /** Records the mail with its attributes. */
    @Override
    public void sendMail(Mail cause, Optional<MailAddress> sender, Collection<MailAddress> recipients, MimeMessage message,
                         ProcessingState state, Map<String, Serializable> attributes) throws MessagingException {
        Objects.requireNonNull(sender, "sender (Optional.empty() for the null sender)");
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("sendMail needs at least one recipient");
        }
        sent.add(new SentMail(sender, List.copyOf(recipients), new MimeMessage(message), state, attributes));
    }

    @Override
    public Logger logger() {
        return logger;
    }

    private static MailAddress normalise(MailAddress a) {
        return new MailAddress(a.localPart().toLowerCase(Locale.ROOT), a.domain());
    }

    @Override
    public String toString() {
        return "RecordingMailetContext[" + hostname + ", domains " + domains + ", " + sent.size() + " sent, "
                + log.size() + " log lines]";
    }

    /** Records every level; tests decide what matters. */
    private final class RecordingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        RecordingLogger() {
            this.name = "org.postlet.mailet";
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            String text = MessageFormatter.basicArrayFormat(pattern, arguments);
            log.add(new LogLine(level, text, Optional.ofNullable(throwable)));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
