package org.postlet.mailet.testkit;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;

/**
 * A {@link Mail} for unit tests of mailets and matchers: built in one expression, behaving like
 * the server's mail (the message is parsed lazily on the first {@link #message()}, recipients are
 * a live collection, attributes and state can be read back after the mailet ran).
 *
 * <pre>{@code
 * FakeMail mail = FakeMail.builder()
 *         .sender("alice@example.com")
 *         .recipients("bob@example.test", "carol@example.test")
 *         .message("Subject: hello\n\nHi Bob!\n")
 *         .build();
 * mailet.service(mail);
 * assertThat(mail.message().getHeader("X-Stamp", null)).isEqualTo("checked");
 * }</pre>
 *
 * <p>Directories a mailet hands over with {@link #syncDirectoryBeforeProcessed} are fsync'd at once,
 * as a mail without a server must, and recorded: {@link #directoriesToSync()} lets a test check
 * that a mailet which stores files hands over what it still owes.
 *
 * <p>Like every {@code Mail}, a {@code FakeMail} is not thread-safe.
 */
public final class FakeMail implements Mail {

    private final String name;
    private final Optional<MailAddress> sender;
    private final List<MailAddress> recipients;
    private final Map<String, Serializable> attributes;
    private final Map<String, String> mailParameters;
    private final Map<MailAddress, Map<String, String>> recipientParameters;
    private final String remoteAddress;
    private final String remoteHost;
    private final String heloName;
    private final Optional<String> authenticatedUser;
    private final Clock clock;
    private final boolean possiblyRedelivered;
    private final boolean lastAttempt;
    private final Optional<Instant> failingSince;
    private final Instant arrived;
    private final Session session;
    private final byte[] raw;
    private final long size;
    private MimeMessage message;
    private ProcessingState state;
    private String errorMessage;
    private Instant lastUpdated;
    private final List<Path> directoriesToSync = new ArrayList<>();

    private FakeMail(Builder b) {
        this.name = b.name;
        this.sender = b.sender;
        this.recipients = new ArrayList<>(b.recipients);
        this.attributes = new LinkedHashMap<>(b.attributes);
        this.remoteAddress = b.remoteAddress;
        this.remoteHost = b.remoteHost == null ? b.remoteAddress : b.remoteHost;
        this.heloName = b.heloName;
        this.authenticatedUser = b.authenticatedUser;
        this.clock = b.clock;
        this.possiblyRedelivered = b.possiblyRedelivered;
        this.mailParameters = Map.copyOf(b.mailParameters);
        this.recipientParameters = Map.copyOf(b.recipientParameters);
        this.lastAttempt = b.lastAttempt;
        this.failingSince = Optional.ofNullable(b.failingSince);
        // One session per mail: no shared state between tests.
        this.session = Session.getInstance(new Properties());
        this.raw = b.message == null && b.raw == null ? defaultMessage(b.name) : b.raw;
        this.message = b.message;
        this.state = b.state;
        this.errorMessage = b.errorMessage;
        this.lastUpdated = clock.instant();
        this.arrived = b.arrived == null ? lastUpdated : b.arrived;
        this.size = b.size >= 0 ? b.size : raw != null ? raw.length : measure(b.message);
    }

    /** Starts a fake mail; only the recipients are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link FakeMail}. Every setting has a sensible default except the recipients:
     * name {@code fake-mail}, sender {@code sender@example.com}, state {@code root}, client
     * {@code 127.0.0.1} saying {@code HELO client.example}, not authenticated, and a message with
     * only a {@code Subject} header when none is given.
     */
    public static final class Builder {
        private String name = "fake-mail";
        private Optional<MailAddress> sender = Optional.of(new MailAddress("sender", "example.com"));
        private final List<MailAddress> recipients = new ArrayList<>();
        private final Map<String, Serializable> attributes = new LinkedHashMap<>();
        private final Map<String, String> mailParameters = new LinkedHashMap<>();
        private final Map<MailAddress, Map<String, String>> recipientParameters = new LinkedHashMap<>();
        private String remoteAddress = "127.0.0.1";
        private String remoteHost;
        private String heloName = "client.example";
        private Optional<String> authenticatedUser = Optional.empty();
        private ProcessingState state = ProcessingState.ROOT;
        private String errorMessage;
        private Clock clock = Clock.systemUTC();
        private MimeMessage message;
        private byte[] raw;
        private long size = -1;
        private boolean possiblyRedelivered;
        private boolean lastAttempt;
        private Instant failingSince;
        private Instant arrived;

        private Builder() {
        }

        /** The queue id, as the server would log it. */
        public Builder name(String name) {
            this.name = requireText(name, "name");
            return this;
        }

        /** The envelope sender, e.g. {@code "alice@example.com"} or {@code "<alice@example.com>"}. */
        public Builder sender(String address) {
            return sender(MailAddress.parse(address));
        }

        /** The envelope sender. */
        public Builder sender(MailAddress address) {
            this.sender = Optional.of(Objects.requireNonNull(address, "sender"));
            return this;
        }

        /** The null sender {@code <>}, as bounces have. */
        public Builder nullSender() {
            this.sender = Optional.empty();
            return this;
        }

        /** Adds recipients, e.g. {@code "bob@example.test"}. */
        public Builder recipients(String... addresses) {
            for (String a : addresses) {
                recipients.add(MailAddress.parse(a));
            }
            return this;
        }

        /** Adds recipients. */
        public Builder recipients(MailAddress... addresses) {
            recipients.addAll(Arrays.asList(addresses));
            return this;
        }

        /** Adds recipients. */
        public Builder recipients(Collection<MailAddress> addresses) {
            recipients.addAll(addresses);
            return this;
        }

        /**
         * The message as RFC 5322 text: headers, an empty line, the body. Bare {@code \n} line
         * endings are turned into {@code \r\n}, as they would be on the wire; the text is encoded
         * as UTF-8.
         */
        public Builder message(String text) {
            Objects.requireNonNull(text, "message");
            return message(text.replaceAll("\r?\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        }

        /** The message as it was received, bytes unchanged. It is parsed on the first {@link Mail#message()}. */
        public Builder message(byte[] bytes) {
            this.raw = Objects.requireNonNull(bytes, "message").clone();
            this.message = null;
            return this;
        }

        /** A message built with Jakarta Mail; the mail uses this very object. */
        public Builder message(MimeMessage message) {
            this.message = Objects.requireNonNull(message, "message");
            this.raw = null;
            return this;
        }

        /**
         * Overrides {@link Mail#size()}, to test size limits without a large message. By default
         * the size is the length of the message as given.
         */
        public Builder size(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("a size cannot be negative, got " + bytes);
            }
            this.size = bytes;
            return this;
        }

        /** The SMTP client's IP address. */
        public Builder remoteAddress(String address) {
            this.remoteAddress = requireText(address, "remoteAddress");
            return this;
        }

        /** The SMTP client's host name; defaults to its address, as when it does not resolve. */
        public Builder remoteHost(String host) {
            this.remoteHost = requireText(host, "remoteHost");
            return this;
        }

        /** The name the client gave in HELO or EHLO. */
        public Builder heloName(String helo) {
            this.heloName = requireText(helo, "heloName");
            return this;
        }

        /** A mail this server made itself (a bounce, a notice): no HELO name, client address 127.0.0.1. */
        public Builder madeHere() {
            this.heloName = "";
            this.remoteAddress = "127.0.0.1";
            return this;
        }

        /** The user the client authenticated as with SMTP AUTH. */
        public Builder authenticatedUser(String user) {
            this.authenticatedUser = Optional.of(requireText(user, "authenticatedUser"));
            return this;
        }

        /** An ESMTP parameter of {@code MAIL FROM}, e.g. {@code ("RET", "HDRS")}. */
        public Builder mailParameter(String keyword, String value) {
            mailParameters.put(keyword.toUpperCase(Locale.ROOT), value);
            return this;
        }

        /** An ESMTP parameter of {@code RCPT TO} for one recipient, e.g. {@code ("bob@example.test", "NOTIFY", "NEVER")}. */
        public Builder recipientParameter(String recipient, String keyword, String value) {
            recipientParameters.computeIfAbsent(MailAddress.parse(recipient), r -> new LinkedHashMap<>())
                    .put(keyword.toUpperCase(Locale.ROOT), value);
            return this;
        }

        /** An attribute set before the mailet runs, e.g. by an earlier mailet. */
        public Builder attribute(String name, Serializable value) {
            attributes.put(requireText(name, "attribute name"), Objects.requireNonNull(value, "attribute value"));
            return this;
        }

        /** The processor the mail is in; {@code root} by default. */
        public Builder state(ProcessingState state) {
            this.state = Objects.requireNonNull(state, "state");
            return this;
        }

        /** The processor the mail is in, by name. */
        public Builder state(String state) {
            return state(new ProcessingState(state));
        }

        /** Why the mail is in the error processor, for mailets that report it. */
        public Builder errorMessage(String message) {
            this.errorMessage = Objects.requireNonNull(message, "errorMessage");
            return this;
        }

        /**
         * Marks the mail as run again after the server stopped while processing it
         * ({@link Mail#possiblyRedelivered()}), to test that a mailet skips what it already did.
         */
        public Builder possiblyRedelivered() {
            this.possiblyRedelivered = true;
            return this;
        }

        /**
         * Marks this attempt as the last before the server gives up ({@link Mail#lastAttempt()}), to
         * test that a mailet then reports its temporary failures instead of deferring.
         */
        public Builder lastAttempt() {
            this.lastAttempt = true;
            return this;
        }

        /** When the mail arrived ({@link Mail#arrived()}); by default when it was built, by its clock. */
        public Builder arrived(Instant when) {
            this.arrived = Objects.requireNonNull(when, "when");
            return this;
        }

        /** Marks the mail as failing temporarily since {@code since} ({@link Mail#failingSince()}): a retry. */
        public Builder failingSince(Instant since) {
            this.failingSince = Objects.requireNonNull(since, "since");
            return this;
        }

        /** The clock {@link Mail#lastUpdated()} reads; the system clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the mail.
         *
         * @throws IllegalStateException if no recipient was given
         */
        public FakeMail build() {
            if (recipients.isEmpty()) {
                throw new IllegalStateException("a mail needs at least one recipient — call recipients(\"bob@example.test\")");
            }
            return new FakeMail(this);
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            return value;
        }
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
        return sender;
    }

    @Override
    public Collection<MailAddress> recipients() {
        return recipients;
    }

    @Override
    public void setRecipients(Collection<MailAddress> newRecipients) {
        List<MailAddress> copy = List.copyOf(newRecipients); // newRecipients may be recipients() itself
        recipients.clear();
        recipients.addAll(copy);
        touch();
    }

    @Override
    public MimeMessage message() throws MessagingException {
        if (message == null) {
            message = new MimeMessage(session, new ByteArrayInputStream(raw));
        }
        return message;
    }

    @Override
    public void writeMessageTo(OutputStream out) throws IOException, MessagingException {
        if (message != null) {
            message.writeTo(out);
        } else {
            out.write(raw);
        }
    }

    /**
     * The message as text, as {@link #writeMessageTo} writes it (CRLF line endings, UTF-8): the
     * simplest thing to assert on.
     */
    public String messageAsString() throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeMessageTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String remoteHost() {
        return remoteHost;
    }

    @Override
    public String heloName() {
        return heloName;
    }

    @Override
    public Optional<String> authenticatedUser() {
        return authenticatedUser;
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
        attributes.put(Objects.requireNonNull(attributeName, "name"), Objects.requireNonNull(value, "value"));
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

    @Override
    public boolean possiblyRedelivered() {
        return possiblyRedelivered;
    }

    @Override
    public Map<String, String> mailParameters() {
        return mailParameters;
    }

    @Override
    public Map<String, String> recipientParameters(MailAddress recipient) {
        return recipientParameters.getOrDefault(recipient, Map.of());
    }

    @Override
    public Optional<Instant> failingSince() {
        return failingSince;
    }

    @Override
    public Instant arrived() {
        return arrived;
    }

    @Override
    public boolean lastAttempt() {
        return lastAttempt;
    }

    /**
     * Fsyncs the directory at once, as {@link Mail}'s default does, and records it for
     * {@link #directoriesToSync()}.
     */
    @Override
    public void syncDirectoryBeforeProcessed(Path directory) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Mail.super.syncDirectoryBeforeProcessed(directory);
        directoriesToSync.add(directory);
    }

    /**
     * The directories handed over with {@link #syncDirectoryBeforeProcessed}, in order, once per
     * call (a directory handed over twice appears twice). Each was fsync'd when handed over, so a
     * test may rely on the files it finds being as durable as the server would make them.
     */
    public List<Path> directoriesToSync() {
        return List.copyOf(directoriesToSync);
    }

    /**
     * Whether the message exists as a parsed {@link MimeMessage}: after {@link #message()} was called,
     * or from the start when the builder was given one. Lets a test check that a mailet which has
     * no need to read the message leaves it unparsed, as the server's lazy parsing rewards.
     */
    public boolean messageParsed() {
        return message != null;
    }

    private void touch() {
        lastUpdated = clock.instant();
    }

    private static byte[] defaultMessage(String name) {
        return ("Subject: fake mail " + name + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static long measure(MimeMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MessagingException e) {
            throw new IllegalArgumentException("the message cannot be written: " + e.getMessage(), e);
        }
        return out.size();
    }

    @Override
    public String toString() {
        return name + " " + state + " " + sender.map(MailAddress::toPath).orElse("<>") + " -> " + recipients;
    }
}
