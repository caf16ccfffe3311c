package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final MetricRegistry registry = new MetricRegistry();
    private final AtomicReference<Health> health = new AtomicReference<>(new Health(List.of(Health.Check.ok("smtp.mx"),
            Health.Check.ok("spool"))));
    private MetricsEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        endpoint = MetricsEndpoint.start("127.0.0.1:0", registry, health::get);
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void metricsAreInPrometheusTextFormatWithNamesAndLabelsFromServerMetric() throws Exception {
        registry.gauge(ServerMetric.SMTP_CONNECTIONS_OPEN.dropwizardName("mx"), () -> () -> 3);
        registry.meter(ServerMetric.SMTP_MESSAGES_ACCEPTED.dropwizardName()).mark(2);
        registry.meter(ServerMetric.SMTP_MESSAGES_REJECTED.dropwizardName("size")).mark();
        registry.counter("something.unlisted").inc();
        registry.gauge(ServerMetric.SPOOL_DEPTH.dropwizardName(), () -> () -> 7);
        Timer timer = registry.timer(ServerMetric.PIPELINE_MAILET_TIME.dropwizardName("root", "com.example.Custom"));
        timer.update(250, TimeUnit.MILLISECONDS);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String body = response.body();
        assertThat(body.lines()).contains(
                "# TYPE postlet_smtp_connections_open gauge",
                "postlet_smtp_connections_open{listener=\"mx\"} 3.0",
                "# TYPE postlet_smtp_messages_accepted_total counter",
                "postlet_smtp_messages_accepted_total 2.0",
                "postlet_smtp_rejected_messages_total{reason=\"size\"} 1.0",
                "postlet_spool_depth 7.0",
                "postlet_pipeline_mailet_time_count{mailet=\"com_example_Custom\",processor=\"root\"} 1",
                "something_unlisted_total 1.0");
        assertThat(body).contains("# TYPE postlet_pipeline_mailet_time summary",
                "postlet_pipeline_mailet_time{mailet=\"com_example_Custom\",processor=\"root\",quantile=\"0.5\"} 0.25");
    }

    @Test
    void remoteDeliveryCountersByDomainHaveTheDomainWithItsDotsAsLabel() throws Exception {
        // The names RemoteDelivery's DestinationMeters registers, dots of the domain as '_'.
        registry.meter("remote.domain.example_com.delivered").mark(3);
        registry.meter("remote.domain.mail_example_org.delivered").mark();
        registry.meter("remote.domain.other.failed").mark(2);
        registry.meter(ServerMetric.REMOTE_DOMAIN_DEFERRED.dropwizardName("xn--bcher-kva.example")).mark();
        registry.meter(ServerMetric.REMOTE_DELIVERED.dropwizardName()).mark(4);

        String body = get("/metrics").body();

        assertThat(body.lines()).contains(
                "# TYPE postlet_remote_domain_delivered_total counter",
                "postlet_remote_domain_delivered_total{domain=\"example.com\"} 3.0",
                "postlet_remote_domain_delivered_total{domain=\"mail.example.org\"} 1.0",
                "postlet_remote_domain_failed_total{domain=\"other\"} 2.0",
                "postlet_remote_domain_deferred_total{domain=\"xn--bcher-kva.example\"} 1.0",
                "postlet_remote_delivered_total 4.0");
    }

    @Test
    void healthIs200WhenEveryCheckPasses() throws Exception {
        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(response.body().strip()).isEqualTo("{\"status\":\"UP\",\"checks\":{\"smtp.mx\":\"UP\",\"spool\":\"UP\"}}");
    }

    @Test
    void healthIs503WithTheProblemsWhenACheckFails() throws Exception {
        health.set(new Health(List.of(Health.Check.ok("smtp.mx"),
                Health.Check.failed("spool", "cannot write in /var/spool: \"read-only\"\n"))));

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body().strip()).isEqualTo("{\"status\":\"DOWN\",\"checks\":{\"smtp.mx\":\"UP\",\"spool\":\"DOWN\"},"
                + "\"problems\":[\"spool: cannot write in /var/spool: \\\"read-only\\\"\\n\"]}");
    }

    @Test
    void aHealthCheckThatThrowsIsDown() throws Exception {
        endpoint.close();
        endpoint = MetricsEndpoint.start("127.0.0.1:0", registry, () -> {
            throw new IllegalStateException("boom");
        });

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("\"status\":\"DOWN\"", "boom");
    }

    @Test
    void otherPathsAre404() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
    }

    @Test
    void onlyGetAndHeadAreAllowed() throws Exception {
        HttpResponse<String> post = http.send(request("/metrics").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> head = http.send(request("/health").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void aPortInUseIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1:" + taken.getLocalPort(), registry, health::get))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("metrics.http 127.0.0.1:" + taken.getLocalPort() + ": cannot listen")
                    .hasMessageContaining("set another metrics.http");
        }
    }

    @Test
    void anInvalidAddressSaysHowToWriteIt() {
        assertThatThrownBy(() -> MetricsEndpoint.start("localhost", registry, health::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metrics.http 'localhost' has no port — " + MetricsAddress.FORMAT);
    }

    @Test
    void closeReleasesThePort() throws Exception {
        int port = endpoint.address().getPort();
        endpoint.close();

        endpoint = MetricsEndpoint.start("127.0.0.1:" + port, registry, health::get);

        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void healthAnswersWhileClientsHoldHalfARequest() throws Exception {
        List<Socket> attackers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", endpoint.address().getPort());
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                attackers.add(s);
            }
            Thread.sleep(200); // let the server take them in

            long started = System.nanoTime();
            HttpResponse<String> response = http.send(request("/health").timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(millis).as("milliseconds to answer /health behind %d half requests", attackers.size())
                    .isLessThan(2000);
        } finally {
            for (Socket s : attackers) {
                s.close();
            }
        }
    }

    @Test
    void aClientThatNeverFinishesItsRequestIsDisconnected() throws Exception {
        try (Socket s = new Socket("127.0.0.1", endpoint.address().getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            // Trickle a header byte now and then, as a slow-loris client does: the deadline is for the whole request.
            int read = -2;
            for (int i = 0; i < 40 && read == -2; i++) {
                try {
                    s.getOutputStream().write('X');
                    s.setSoTimeout(500);
                    read = s.getInputStream().read();
                } catch (SocketTimeoutException e) {
                    // still open
                } catch (IOException e) {
                    read = -1; // reset by the server
                }
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertThat(read).as("the server closed the connection").isEqualTo(-1);
            assertThat(seconds).as("seconds until the server gave up on the request").isLessThan(15);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path))
                .timeout(Duration.ofSeconds(10));
    }
}
