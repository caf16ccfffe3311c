package org.postlet.smtp.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.postlet.smtp.policy.SenderPolicy;
import org.postlet.smtp.server.AuthMode;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.SmtpLimits;
import org.postlet.smtp.server.SmtpServer;
import org.postlet.smtp.server.SmtpSettings;
import org.postlet.smtp.server.TlsMode;

/**
 * A server on 127.0.0.1 with a free port, a {@link RecordingQueue}, the {@link TestPolicy}, the
 * {@link TestAuthenticator}, the {@link TestTls} key and {@link RecordingEvents}.
 */
public final class SmtpTestServer implements AutoCloseable {

    public static final String HOSTNAME = "mx.example.test";
    public static final String LISTENER = "mx";

    private final RecordingQueue queue = new RecordingQueue();
    private final TestAuthenticator authenticator = new TestAuthenticator();
    private final RecordingEvents events = new RecordingEvents();
    private final SmtpServer server;

    private SmtpTestServer(SmtpSettings settings, SenderPolicy senderPolicy) throws IOException {
        server = new SmtpServer(settings, queue, new TestPolicy(), senderPolicy, authenticator,
                Optional.of(TestTls.serverContext()), events);
        server.start();
    }

    /** Builds settings for tests; change what a test needs. */
    public static final class Builder {
        private long maxMessageSize = 10_000;
        private int maxRecipients = 3;
        private Duration commandTimeout = Duration.ofSeconds(30);
        private Duration dataTimeout = Duration.ofSeconds(30);
        private AuthMode auth = AuthMode.NONE;
        private TlsMode tls = TlsMode.NONE;
        // Fast failure delays so AUTH tests do not sleep for seconds.
        private SmtpLimits limits = new SmtpLimits(1000, 50, 1000, 20, 3, Duration.ofMillis(50), 10);
        private SenderPolicy senderPolicy = SenderPolicy.ANY_SENDER;

        public Builder senderPolicy(SenderPolicy policy) {
            senderPolicy = policy;
            return this;
        }

        public Builder maxMessageSize(long bytes) {
            maxMessageSize = bytes;
            return this;
        }

        public Builder maxRecipients(int count) {
            maxRecipients = count;
            return this;
        }

        public Builder commandTimeout(Duration timeout) {
            commandTimeout = timeout;
            return this;
        }

        public Builder dataTimeout(Duration timeout) {
            dataTimeout = timeout;
            return this;
        }

        public Builder auth(AuthMode mode) {
            auth = mode;
            return this;
        }

        public Builder tls(TlsMode mode) {
            tls = mode;
            return this;
        }

        public Builder limits(SmtpLimits limits) {
            this.limits = limits;
            return this;
        }

        public SmtpTestServer start() throws IOException {
            ListenerSettings listener = new ListenerSettings(LISTENER, "127.0.0.1", 0, tls, auth);
            return new SmtpTestServer(new SmtpSettings(HOSTNAME, List.of(listener), maxMessageSize, maxRecipients,
                    commandTimeout, dataTimeout, limits), senderPolicy);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public RecordingQueue queue() {
        return queue;
    }

    public RecordingEvents events() {
        return events;
    }

    public TestAuthenticator authenticator() {
        return authenticator;
    }

    public SmtpServer server() {
        return server;
    }

    public int port() {
        return server.port(LISTENER);
    }

    /** Connects and reads the greeting. */
    public SmtpTestClient connect() throws IOException {
        SmtpTestClient client = new SmtpTestClient(port());
        SmtpTestClient.Response greeting = client.read();
        if (greeting.code() != 220) {
            throw new IOException("unexpected greeting " + greeting);
        }
        return client;
    }

    @Override
    public void close() {
        server.close();
    }
}
