package org.postlet.server.metrics;

import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint on {@code metrics.http}, on the JDK's built-in HTTP server:
 * <ul>
 *   <li>{@code GET /metrics}: the Dropwizard registry in Prometheus text exposition format,
 *       converted by Prometheus' own bridge with the names and labels of {@link ServerMetric};</li>
 *   <li>{@code GET /health}: 200 {@code {"status":"UP",...}} or 503 {@code {"status":"DOWN","problems":[...]}};</li>
 *   <li>any other path 404; any method other than GET and HEAD 405.</li>
 * </ul>
 * It has no authentication: bind it to loopback or a management network.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    /** A scraper that stopped reading must not hold a thread for long; two threads are plenty for scrapes. */
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusRegistry prometheus;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final HealthCheck health;

    private MetricsEndpoint(HttpServer server, ExecutorService executor, PrometheusRegistry prometheus, HealthCheck health) {
        this.server = server;
        this.executor = executor;
        this.prometheus = prometheus;
        this.health = health;
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
        InetSocketAddress socket = address.socketAddress();
        if (socket.isUnresolved()) {
            throw new IOException("metrics.http " + address + ": unknown host '" + address.host()
                    + "' — use an IP address such as 127.0.0.1 or a name this machine resolves");
        }
        HttpServer server;
        try {
            server = HttpServer.create(socket, 16);
        } catch (BindException e) {
            throw new IOException("metrics.http " + address + ": cannot listen: " + e.getMessage()
                    + " — stop what uses that port, or set another metrics.http", e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "postlet-metrics-http-" + threads.incrementAndGet());
            t.setDaemon(true); // never keeps the JVM alive after the server stopped
            return t;
        });
        MetricsEndpoint endpoint = new MetricsEndpoint(server, executor, prometheusRegistry(registry), health);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("metrics on http://{}/metrics and /health", endpoint.addressText());
        return endpoint;
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
        return server.getAddress();
    }

    @Override
    public void close() {
        // No grace period: the JDK server would wait it out in full for an idle keep-alive connection of a
        // scraper, delaying every shutdown, and a scrape cut short is simply retried by Prometheus.
        server.stop(0);
        executor.shutdownNow();
        LOG.info("metrics endpoint on {} stopped", addressText());
    }

    private String addressText() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT, ("method " + method + " not allowed; use GET\n").getBytes(StandardCharsets.UTF_8),
                        false);
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> respond(exchange, 200, writer.getContentType(), scrape(), head);
                case "/health" -> {
                    Health h = checkHealth();
                    respond(exchange, h.up() ? 200 : 503, JSON, (Json.health(h) + "\n").getBytes(StandardCharsets.UTF_8),
                            head);
                }
                default -> respond(exchange, 404, TEXT, "not found; try /metrics or /health\n".getBytes(StandardCharsets.UTF_8),
                        head);
            }
        } catch (IOException e) {
            // A scraper that hung up is not worth more than a debug line.
            LOG.debug("metrics request {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            throw e;
        } catch (RuntimeException e) {
            // Anything else is a bug worth seeing.
            LOG.warn("metrics request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            throw e;
        }
    }

    private byte[] scrape() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        writer.write(body, prometheus.scrape());
        return body.toByteArray();
    }

    private Health checkHealth() {
        try {
            return health.check();
        } catch (RuntimeException e) {
            LOG.warn("health check failed: {}", e.toString());
            return new Health(List.of(Health.Check.failed("health", "the check itself failed: " + e)));
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body, boolean head)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (head) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
