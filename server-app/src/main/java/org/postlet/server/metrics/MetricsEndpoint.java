package org.postlet.server.metrics;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.postlet.server.admin.AdminApi;
import org.postlet.server.admin.Console;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint on {@code metrics.http}:
 * <ul>
 *   <li>{@code GET /metrics}: the Dropwizard registry in Prometheus text exposition format,
 *       converted by Prometheus' own bridge with the names and labels of {@link ServerMetric};</li>
 *   <li>{@code GET /health}: 200 {@code {"status":"UP",...}} or 503 {@code {"status":"DOWN","problems":[...]}};</li>
 *   <li>{@code /api/...}: the {@link AdminApi}, behind its bearer token;</li>
 *   <li>{@code GET /}, {@code /console.js}, {@code /console.css}: the web {@link Console};</li>
 *   <li>any other path 404; any method other than GET and HEAD 405 (except under {@code /api/}).</li>
 * </ul>
 * {@code /metrics} and {@code /health} have no authentication: bind it to loopback or a management network.
 *
 * <p>A health check must answer while clients misbehave, so the endpoint runs on Netty: reading
 * requests holds no thread, a request must arrive whole within {@link #REQUEST_TIMEOUT} (however
 * slowly its bytes trickle in), an idle keep-alive connection is closed after {@link #IDLE_TIMEOUT},
 * and past {@link #MAX_CONNECTIONS} the oldest connection makes room for the new one. Requests are
 * answered on two threads of their own, so a slow scrape does not hold up reading.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    /** The time a client has to send a whole request, from connecting or from the previous response. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** How long a keep-alive connection may wait for its next request. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Open connections at most; scrapers and health checkers need a handful. */
    static final int MAX_CONNECTIONS = 64;
    /** A GET has no body: anything bigger than this is not a request for us. */
    private static final int MAX_REQUEST = 8192;

    private final Channel serverChannel;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup io;
    private final ExecutorService responders;
    private final PrometheusRegistry prometheus;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final ObjectMapper json = new ObjectMapper();
    private final HealthCheck health;
    private final Optional<AdminApi> admin;
    private final Console console;
    /** Open connections, oldest first. */
    private final Deque<Channel> connections = new ArrayDeque<>();

    private MetricsEndpoint(InetSocketAddress socket, MetricsAddress address, PrometheusRegistry prometheus,
                            HealthCheck health, Optional<AdminApi> admin) throws IOException {
        this.prometheus = prometheus;
        this.health = health;
        this.admin = admin;
        this.console = admin.isPresent() ? new Console() : null;
        this.acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("metrics-accept", true),
                NioIoHandler.newFactory());
        this.io = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("metrics-io", true), NioIoHandler.newFactory());
        // Bounded: a flood of whole requests is answered 503 rather than queued without end.
        this.responders = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_CONNECTIONS),
                new DefaultThreadFactory("metrics-http", true));
        ChannelHandler requests = new Requests();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        admit(ch);
                        ch.pipeline().addLast(new HttpServerCodec(4096, MAX_REQUEST, MAX_REQUEST))
                                .addLast(new Deadline())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST))
                                .addLast(requests);
                    }
                });
        ChannelFuture bound = bootstrap.bind(socket).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownThreads();
            Throwable cause = bound.cause();
            if (cause instanceof BindException) {
                throw new IOException("metrics.http " + address + ": cannot listen: " + cause.getMessage()
                        + " — stop what uses that port, or set another metrics.http", cause);
            }
            throw new IOException("metrics.http " + address + ": cannot listen: " + cause, cause);
        }
        this.serverChannel = bound.channel();
    }

    /**
     * Starts the endpoint on {@code metrics.http}.
     *
     * @param metricsHttp the configured {@code host:port}
     * @throws IllegalArgumentException if {@code metricsHttp} is not {@code host:port}
     * @throws IOException              if the address cannot be bound, naming it and the key
     */
    public static MetricsEndpoint start(String metricsHttp, MetricRegistry registry, HealthCheck health) throws IOException {
        MetricsAddress address;
        try {
            address = MetricsAddress.parse(metricsHttp);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " — " + MetricsAddress.FORMAT, e);
        }
        return start(address, registry, health);
    }

    /**
     * Starts the endpoint on {@code address}.
     *
     * @throws IOException if the address cannot be bound, naming it and the key
     */
    public static MetricsEndpoint start(MetricsAddress address, MetricRegistry registry, HealthCheck health)
            throws IOException {
        return start(address, registry, health, Optional.empty());
    }

    /**
     * Starts the endpoint on {@code address}, with the admin API and the console if {@code admin} is given.
     *
     * @throws IOException if the address cannot be bound, naming it and the key
     */
    public static MetricsEndpoint start(MetricsAddress address, MetricRegistry registry, HealthCheck health,
                                        Optional<AdminApi> admin) throws IOException {
        InetSocketAddress socket = address.socketAddress();
        if (socket.isUnresolved()) {
            throw new IOException("metrics.http " + address + ": unknown host '" + address.host()
                    + "' — use an IP address such as 127.0.0.1 or a name this machine resolves");
        }
        MetricsEndpoint endpoint = new MetricsEndpoint(socket, address, prometheusRegistry(registry), health, admin);
        LOG.info("metrics on http://{}/metrics and /health{}", endpoint.addressText(),
                admin.isPresent() ? ", admin API on /api/, console on /" : "");
        return endpoint;
    }

    /** Counts a new connection in, closing the oldest when there are too many. */
    private void admit(Channel ch) {
        Channel evicted = null;
        synchronized (connections) {
            connections.addLast(ch);
            if (connections.size() > MAX_CONNECTIONS) {
                evicted = connections.pollFirst();
            }
        }
        ch.closeFuture().addListener(f -> {
            synchronized (connections) {
                connections.remove(ch);
            }
        });
        if (evicted != null) {
            LOG.debug("metrics: more than {} connections; closing the oldest, from {}", MAX_CONNECTIONS, evicted.remoteAddress());
            evicted.close();
        }
    }

    /**
     * A Prometheus registry that reads {@code registry} at every scrape, with {@link ServerMetric}'s
     * names and labels; metrics not listed there keep their Dropwizard name with dots as underscores.
     */
    static PrometheusRegistry prometheusRegistry(MetricRegistry registry) {
        List<MapperConfig> mappings = new ArrayList<>();
        for (ServerMetric metric : ServerMetric.values()) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (int i = 0; i < metric.labels().size(); i++) {
                labels.put(metric.labels().get(i), "${" + i + "}");
            }
            mappings.add(new MapperConfig(metric.pattern(), metric.prometheusName(), labels));
            if (metric.kind() == ServerMetric.Kind.METER) {
                // The bridge (1.4.x) looks up a meter's name as "<name>_total" but its labels under "<name>":
                // both must match. MetricsEndpointTest pins this.
                mappings.add(new MapperConfig(metric.pattern() + "_total", metric.prometheusName(), labels));
            }
        }
        // Our own registry, not PrometheusRegistry.defaultRegistry: no static state shared between servers in one JVM.
        PrometheusRegistry prometheus = new PrometheusRegistry();
        prometheus.register(new MergedDropwizardExports(registry, new CustomLabelMapper(mappings)));
        return prometheus;
    }

    /** The address actually bound (its port is the real one when 0 was configured). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        // No grace period: a scrape cut short is simply retried by Prometheus.
        String where = addressText();
        serverChannel.close().syncUninterruptibly();
        synchronized (connections) {
            connections.forEach(Channel::close);
        }
        shutDownThreads();
        LOG.info("metrics endpoint on {} stopped", where);
    }

    private void shutDownThreads() {
        acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        responders.shutdownNow();
    }

    private String addressText() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Closes a connection whose request does not arrive whole in time: {@link #REQUEST_TIMEOUT} for a
     * request, {@link #IDLE_TIMEOUT} between keep-alive requests. Bytes arriving slowly do not help.
     */
    private static final class Deadline extends ChannelDuplexHandler {
        private ScheduledFuture<?> timer;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            arm(ctx, REQUEST_TIMEOUT);
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof LastHttpContent) {
                disarm(); // a whole request: the answer is on its way
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof FullHttpResponse) {
                promise.addListener(f -> arm(ctx, IDLE_TIMEOUT)); // runs on the event loop, as the timer does
            }
            super.write(ctx, msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            disarm();
            super.channelInactive(ctx);
        }

        private void arm(ChannelHandlerContext ctx, Duration timeout) {
            disarm();
            timer = ctx.executor().schedule(() -> {
                LOG.debug("metrics: no whole request from {} within {} s; closing", ctx.channel().remoteAddress(),
                        timeout.toSeconds());
                ctx.close();
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void disarm() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    /** Hands each whole request to {@link #responders}, so the thread that reads never waits for an answer. */
    @ChannelHandler.Sharable
    private final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!request.decoderResult().isSuccess()) {
                send(ctx, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n".getBytes(StandardCharsets.UTF_8), false,
                        false);
                return;
            }
            HttpMethod method = request.method();
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            // Only what answering needs leaves the event loop; the request's buffers are released on return.
            AdminApi.Request asked = new AdminApi.Request(method.equals(HttpMethod.HEAD) ? "GET" : method.name(), uri.path(),
                    uri.parameters(), request.headers().get(HttpHeaderNames.AUTHORIZATION),
                    String.valueOf(ctx.channel().remoteAddress()), request.headers().get(HttpHeaderNames.USER_AGENT));
            try {
                responders.execute(() -> answer(ctx, method, asked, keepAlive));
            } catch (RejectedExecutionException e) {
                send(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, "busy; try again\n".getBytes(StandardCharsets.UTF_8),
                        method.equals(HttpMethod.HEAD), false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A client that hung up or sent garbage is not worth more than a debug line.
            LOG.debug("metrics connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpMethod method, AdminApi.Request asked, boolean keepAlive) {
        boolean head = method.equals(HttpMethod.HEAD);
        String path = asked.path();
        if (admin.isPresent() && (path.equals("/api") || path.startsWith("/api/"))) {
            AdminApi.Response r = admin.get().handle(asked);
            FullHttpResponse response = response(HttpResponseStatus.valueOf(r.status()), r.contentType(), r.body(), head);
            r.headers().forEach((name, value) -> response.headers().set(name, value));
            write(ctx, response, keepAlive);
            return;
        }
        if (!head && !method.equals(HttpMethod.GET)) {
            FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
                    ("method " + method + " not allowed; use GET\n").getBytes(StandardCharsets.UTF_8), false);
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            write(ctx, r, keepAlive);
            return;
        }
        try {
            Optional<Console.Asset> asset = console == null ? Optional.empty() : console.asset(path);
            if (asset.isPresent()) {
                FullHttpResponse response = response(HttpResponseStatus.OK, asset.get().contentType(), asset.get().body(), head);
                Console.HEADERS.forEach((name, value) -> response.headers().set(name, value));
                write(ctx, response, keepAlive);
                return;
            }
            switch (path) {
                case "/metrics" -> send(ctx, HttpResponseStatus.OK, writer.getContentType(), scrape(), head, keepAlive);
                case "/health" -> {
                    Health h = checkHealth();
                    send(ctx, h.up() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, JSON,
                            healthJson(h), head, keepAlive);
                }
                default -> send(ctx, HttpResponseStatus.NOT_FOUND, TEXT,
                        ("not found; try /metrics or /health" + (console == null ? "" : ", the console at / or the API under /api/")
                                + "\n").getBytes(StandardCharsets.UTF_8), head, keepAlive);
            }
        } catch (IOException | RuntimeException e) {
            // A bug worth seeing: the scrape itself broke.
            LOG.warn("metrics request {} {} failed", method, path, e);
            send(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, ("failed: " + e + "\n").getBytes(StandardCharsets.UTF_8),
                    head, false);
        }
    }

    private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, byte[] body,
                             boolean head, boolean keepAlive) {
        write(ctx, response(status, contentType, body, head), keepAlive);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body, boolean head) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private byte[] scrape() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        writer.write(body, prometheus.scrape());
        return body.toByteArray();
    }

    /** The body of {@code /health}: status, each check's state, and the problems when down. */
    private byte[] healthJson(Health health) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", health.up() ? "UP" : "DOWN");
        Map<String, String> checks = new LinkedHashMap<>();
        health.checks().forEach(c -> checks.put(c.name(), c.passed() ? "UP" : "DOWN"));
        body.put("checks", checks);
        if (!health.up()) {
            body.put("problems", health.problems());
        }
        return (json.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private Health checkHealth() {
        try {
            return health.check();
        } catch (RuntimeException e) {
            LOG.warn("health check failed: {}", e.toString());
            return new Health(List.of(Health.Check.failed("health", "the check itself failed: " + e)));
        }
    }
}
