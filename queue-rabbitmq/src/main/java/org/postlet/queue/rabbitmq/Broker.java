package org.postlet.queue.rabbitmq;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to the broker as a small state machine, every transition in {@link #moveTo}:
 * <pre>
 *   CONNECTING --connected--> UP --connection lost--> DOWN --reconnected--> UP
 *        any --close()--> CLOSED
 * </pre>
 * While DOWN a new connection is tried after a back-off that doubles from half a second up to
 * 30 seconds. The client's own automatic recovery is off: a recovered channel would take
 * acknowledgements for deliveries the broker already gave to another node.
 */
final class Broker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    enum State { CONNECTING, UP, DOWN, CLOSED }

    /** What to set up on every new connection (declare queues, start consuming). */
    @FunctionalInterface
    interface Setup {
        void on(Session session) throws IOException;
    }

    private final ConnectionFactory factory;
    private final String where;
    private final String connectionName;
    private final Setup setup;
    private final Clock clock;
    private final ScheduledExecutorService reconnects;
    private final Object lock = new Object();
    // guarded by lock
    private State state = State.CONNECTING;
    private Session session;
    private String problem = "not connected yet";
    private Instant since;
    private Duration backoff = FIRST_BACKOFF;
    private long generations;

    /**
     * @param connectionName how the broker lists this node's connection ({@code rabbitmqctl list_connections})
     */
    Broker(RabbitMqSettings settings, String connectionName, Clock clock, Setup setup) {
        this.factory = new ConnectionFactory();
        try {
            factory.setUri(settings.uri());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("queue.uri " + settings.where() + ": " + e.getMessage(), e);
        }
        if (factory.getVirtualHost().isEmpty()) {
            // amqp://host:5672/ names the vhost "" by the URI spec; what people mean is the default "/"
            factory.setVirtualHost("/");
        }
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        factory.setRequestedHeartbeat(10);
        this.where = settings.where();
        this.connectionName = connectionName;
        this.setup = setup;
        this.clock = clock;
        this.since = clock.instant();
        this.reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "postlet-rabbitmq-reconnect");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects now.
     *
     * @throws IOException if the broker does not answer or refuses: a node that cannot reach its
     *                     queue at start is misconfigured more often than unlucky
     */
    void start() throws IOException {
        try {
            connect();
        } catch (IOException | TimeoutException | RuntimeException e) {
            close();
            throw new IOException("cannot reach RabbitMQ at " + where + ": " + describe(e)
                    + " — start the broker or fix queue.uri", e);
        }
    }

    /** The session to use now. */
    Session session() throws IOException {
        synchronized (lock) {
            if (state == State.UP) {
                return session;
            }
        }
        throw new IOException(unavailable().orElse("RabbitMQ at " + where + " is not connected"));
    }

    /** The session now, if connected; no exception, for checks on a hot path. */
    Optional<Session> current() {
        synchronized (lock) {
            return state == State.UP ? Optional.of(session) : Optional.empty();
        }
    }

    /** Why no mail can be queued now; empty while connected. */
    Optional<String> unavailable() {
        synchronized (lock) {
            return switch (state) {
                case UP -> Optional.empty();
                case CLOSED -> Optional.of("the queue is closed");
                case CONNECTING, DOWN -> Optional.of("RabbitMQ at " + where + " unreachable since " + since + " (" + problem
                        + "); reconnecting every " + backoff.toMillis() + " ms at most");
            };
        }
    }

    State state() {
        synchronized (lock) {
            return state;
        }
    }

    private void connect() throws IOException, TimeoutException {
        Connection connection = factory.newConnection(connectionName);
        Session s;
        try {
            long generation;
            synchronized (lock) {
                generation = ++generations;
            }
            s = new Session(connection, generation, where);
            setup.on(s);
        } catch (IOException | RuntimeException e) {
            connection.abort();
            throw e;
        }
        connection.addShutdownListener(cause -> lost(s, cause));
        if (!moveTo(State.UP, s, null)) {
            s.close();
            return;
        }
        if (!connection.isOpen()) { // closed before the listener was there
            lost(s, connection.getCloseReason());
        }
    }

    private void lost(Session s, ShutdownSignalException cause) {
        String why = cause == null ? "connection closed" : cause.isInitiatedByApplication() && cause.getReason() == null
                ? "closed by this node" : describe(cause);
        s.lost(why);
        synchronized (lock) {
            if (session != s) {
                return; // an older session, or closing
            }
        }
        LOG.warn("connection to RabbitMQ at {} lost: {}; new mail is answered 451 until it is back", where, why);
        if (moveTo(State.DOWN, null, why)) {
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        Duration wait;
        synchronized (lock) {
            wait = backoff;
        }
        try {
            reconnects.schedule(this::reconnect, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            LOG.debug("not reconnecting to {}: the queue is closing", where);
        }
    }

    private void reconnect() {
        if (state() == State.CLOSED) {
            return;
        }
        try {
            connect();
            LOG.info("connection to RabbitMQ at {} is back", where);
        } catch (IOException | TimeoutException | RuntimeException e) {
            synchronized (lock) {
                problem = describe(e);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
            LOG.warn("RabbitMQ at {} still unreachable: {}", where, describe(e));
            scheduleReconnect();
        }
    }

    /**
     * The one place the state changes.
     *
     * @return false if the broker is closed (nothing changed)
     */
    private boolean moveTo(State next, Session newSession, String why) {
        synchronized (lock) {
            if (state == State.CLOSED) {
                return false;
            }
            switch (next) {
                case UP -> {
                    session = newSession;
                    problem = null;
                    backoff = FIRST_BACKOFF;
                }
                case DOWN -> {
                    session = null;
                    problem = why;
                    since = clock.instant();
                }
                case CLOSED -> session = null;
                case CONNECTING -> throw new IllegalStateException("a broker connects only once, at start");
            }
            state = next;
            return true;
        }
    }

    /** Closes the connection; unacknowledged deliveries go back to the queue for other nodes. */
    @Override
    public void close() {
        Session s;
        synchronized (lock) {
            s = session;
            moveTo(State.CLOSED, null, null);
        }
        reconnects.shutdownNow();
        if (s != null) {
            s.close();
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof ShutdownSignalException)) {
            t = t.getCause();
        }
        String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return e instanceof ShutdownSignalException s && s.getReason() != null ? s.getMessage() : text;
    }
}
