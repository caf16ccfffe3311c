package org.postlet.smtp.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.postlet.smtp.auth.Authenticator;
import org.postlet.smtp.codec.SmtpFrameDecoder;
import org.postlet.smtp.command.Reply;
import org.postlet.smtp.inbound.InboundQueue;
import org.postlet.smtp.policy.RecipientPolicy;
import org.postlet.smtp.policy.SenderPolicy;
import org.postlet.smtp.session.SessionConfig;
import org.postlet.smtp.session.SessionTimeout;
import org.postlet.smtp.session.ShutdownRequest;
import org.postlet.smtp.session.SmtpSessionHandler;
import org.postlet.smtp.tls.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ESMTP server: listens on every configured {@link ListenerSettings listener} and hands each
 * accepted message to the {@link InboundQueue}, replying 250 only once the queue has committed it.
 *
 * <p>Usage: {@code try (SmtpServer server = new SmtpServer(settings, queue, policy, authenticator, tls)) { server.start(); … }}.
 * Non-blocking Netty (native epoll on Linux, else NIO): a few event loops accept and serve
 * all connections.
 *
 * <p>Each connection's pipeline is {@code [tls →] timeout → frames → session}: an
 * {@link io.netty.handler.ssl.SslHandler} from the start on implicit-TLS listeners (or put in front
 * by STARTTLS), {@link SessionTimeout}, {@link SmtpFrameDecoder}, {@link SmtpSessionHandler}.
 *
 * <p>Connections over a listener's connection limit or its limit per client address (its own, or
 * {@link SmtpLimits#connections()} and {@link SmtpLimits#connectionsPerClient()} applied to it
 * alone) get {@code 421 4.7.0} and are closed before a session starts (on an implicit-TLS listener they
 * are closed without a reply, which could only be read after a handshake it is not worth doing).
 */
public final class SmtpServer implements AutoCloseable {

    /** How long {@link #close()} lets sessions finish a message in progress. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServer.class);
    private static final int EVENT_LOOPS = Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));

    private final SmtpSettings settings;
    private final InboundQueue queue;
    private final RecipientPolicy policy;
    private final SenderPolicy senderPolicy;
    private final Authenticator authenticator;
    private final Optional<TlsContext> tls;
    private final SmtpEvents events;
    private final ClientAuthFailures authFailures;
    private final Map<String, Channel> boundListeners = new LinkedHashMap<>();
    private final ChannelGroup sessions = new DefaultChannelGroup("smtp-sessions", GlobalEventExecutor.INSTANCE);
    private final Transport transport = Transport.available();
    private EventLoopGroup eventLoops;
    private boolean closed;

    /**
     * A server without TLS and with nobody able to authenticate.
     *
     * @throws IllegalArgumentException if a listener uses TLS
     */
    public SmtpServer(SmtpSettings settings, InboundQueue queue, RecipientPolicy policy) {
        this(settings, queue, policy, SenderPolicy.ANY_SENDER, Authenticator.refuseAll(), Optional.empty(), SmtpEvents.NONE);
    }

    /**
     * @param settings      what to listen on and the limits
     * @param queue         where accepted messages go
     * @param policy        decides about each recipient at RCPT time
     * @param senderPolicy  decides at MAIL time, e.g. refuses an authenticated user a sender address they do not own
     * @param authenticator checks AUTH credentials on listeners whose auth is not {@code none}
     * @param tls           the key material, needed when a listener uses STARTTLS or implicit TLS
     * @param events        told what happens (for metrics and logs); called on the event loops, so quick and never blocking
     * @throws IllegalArgumentException if a listener uses TLS and {@code tls} is empty
     */
    public SmtpServer(SmtpSettings settings, InboundQueue queue, RecipientPolicy policy, SenderPolicy senderPolicy,
                      Authenticator authenticator, Optional<TlsContext> tls, SmtpEvents events) {
        for (ListenerSettings listener : settings.listeners()) {
            if (listener.tls() != TlsMode.NONE && tls.isEmpty()) {
                throw new IllegalArgumentException("listener " + listener.name() + " uses tls " + listener.tls()
                        + " but the server was given no TLS key material");
            }
        }
        this.settings = settings;
        this.queue = queue;
        this.policy = policy;
        this.senderPolicy = senderPolicy;
        this.authenticator = authenticator;
        this.tls = tls;
        this.events = events;
        this.authFailures = new ClientAuthFailures(settings.limits().authFailuresPerClient(), java.time.Clock.systemUTC());
    }

    /**
     * Binds every listener. On failure nothing stays bound.
     *
     * @throws IOException naming the listener and address, e.g.
     *                     {@code listener mx: cannot bind 0.0.0.0:2525: Address already in use}
     */
    public synchronized void start() throws IOException {
        if (eventLoops != null || closed) {
            throw new IllegalStateException("the SMTP server can be started once");
        }
        // The listening sockets share the sessions' event loops: a thread of its own for accepting
        // would cost a hand-off (a wake-up and a context switch) for every connection.
        eventLoops = new MultiThreadIoEventLoopGroup(EVENT_LOOPS, new DefaultThreadFactory("smtp-io"),
                transport.handlers());
        if (transport == Transport.NIO) {
            LOG.info("SMTP on the JDK's NIO transport (native epoll unavailable: {})", Transport.unavailability());
        }
        for (ListenerSettings listener : settings.listeners()) {
            ChannelFuture bound = bootstrap(listener).bind(listener.bind(), listener.port()).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                Throwable cause = bound.cause();
                close();
                throw new IOException("listener " + listener.name() + ": cannot bind " + listener.bind() + ":"
                        + listener.port() + ": " + cause.getMessage(), cause);
            }
            boundListeners.put(listener.name(), bound.channel());
            LOG.info("SMTP listener {} on {} (tls {}, auth {})", listener.name(), bound.channel().localAddress(),
                    listener.tls(), listener.auth());
            if (listener.tls() == TlsMode.NONE && listener.auth() != AuthMode.NONE) {
                LOG.warn("listener {} offers AUTH without TLS: passwords cross the network in clear text; "
                        + "use tls: starttls or implicit unless a TLS proxy or loopback protects it", listener.name());
            }
        }
    }

    /**
     * The port a listener is bound to, useful when it was configured with port 0.
     *
     * @throws IllegalArgumentException if no listener of that name is bound
     */
    public synchronized int port(String listenerName) {
        Channel channel = boundListeners.get(listenerName);
        if (channel == null) {
            throw new IllegalArgumentException("no bound listener named " + listenerName + "; bound: " + boundListeners.keySet());
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Stops gracefully: stops accepting, answers 421 to sessions waiting for a command, lets
     * sessions that are receiving or committing a message finish it (at most
     * {@link #DRAIN_TIMEOUT}), closes what is left and stops the threads. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel listener : boundListeners.values()) {
            listener.close().awaitUninterruptibly();
        }
        boundListeners.clear();
        if (!sessions.isEmpty()) {
            LOG.info("SMTP server stopping: {} open session(s)", sessions.size());
            for (Channel session : sessions) {
                session.pipeline().fireUserEventTriggered(ShutdownRequest.INSTANCE);
            }
            if (!sessions.newCloseFuture().awaitUninterruptibly(DRAIN_TIMEOUT.toMillis())) {
                LOG.warn("closing {} SMTP session(s) that did not finish within {}s", sessions.size(),
                        DRAIN_TIMEOUT.toSeconds());
            }
            sessions.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (eventLoops != null) {
            eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        LOG.info("SMTP server stopped");
    }

    private ServerBootstrap bootstrap(ListenerSettings listener) {
        // Each listener has its own connection slots: a flood on one port leaves the others serving.
        ConnectionLimiter limiter = new ConnectionLimiter(listener.connectionLimit(settings.limits()),
                listener.connectionsPerClientLimit(settings.limits()));
        SessionConfig sessionConfig = new SessionConfig(settings, listener, queue, policy, senderPolicy, authenticator, tls, events, authFailures,
                limiter);
        return new ServerBootstrap()
                .group(eventLoops)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that sends its last commands and shuts down its side at once still gets
                // every reply: the session closes when it has answered them (epoll reports the end
                // of input even while reading is paused for a commit).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (!admitted(channel, listener, limiter)) {
                            return;
                        }
                        sessions.add(channel);
                        if (listener.tls() == TlsMode.IMPLICIT) {
                            channel.pipeline().addLast("tls", tls.orElseThrow().newHandler(channel.alloc(), false));
                        }
                        SessionTimeout timeout = new SessionTimeout(settings.commandTimeout());
                        SmtpFrameDecoder frames = new SmtpFrameDecoder();
                        channel.pipeline()
                                .addLast("timeout", timeout)
                                .addLast("frames", frames)
                                .addLast("session", new SmtpSessionHandler(sessionConfig, frames, timeout));
                    }
                });
    }

    /** Whether the listener of that name is bound and accepting connections (for the health check). */
    public synchronized boolean listening(String listenerName) {
        Channel c = boundListeners.get(listenerName);
        return c != null && c.isActive() && !closed;
    }

    /** Counts the connection against the limits, or answers 421 and closes it. */
    private boolean admitted(SocketChannel channel, ListenerSettings listener, ConnectionLimiter limiter) {
        InetAddress client = channel.remoteAddress().getAddress();
        Optional<ConnectionLimiter.Refusal> refusal = limiter.admit(client);
        if (refusal.isEmpty()) {
            channel.closeFuture().addListener(closed -> limiter.release(client));
            return true;
        }
        String text = refusal.get() == ConnectionLimiter.Refusal.TOO_MANY_CONNECTIONS
                ? settings.hostname() + " Error: too many connections; try again later"
                : settings.hostname() + " Error: too many connections from " + client.getHostAddress();
        LOG.info("refused connection from {} on {}: {}", client.getHostAddress(), listener.name(), refusal.get());
        events.connectionRefused(listener.name(), refusal.get().name().toLowerCase(java.util.Locale.ROOT));
        if (listener.tls() == TlsMode.IMPLICIT) {
            channel.close();
        } else {
            byte[] reply = Reply.of(421, "4.7.0", text).encode().getBytes(StandardCharsets.US_ASCII);
            channel.writeAndFlush(Unpooled.wrappedBuffer(reply)).addListener(ChannelFutureListener.CLOSE);
        }
        return false;
    }
}
