package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;

/** A real server with metrics.http: mail through SMTP shows up in /metrics, and /health says UP. */
class ServerMetricsIT {

    @TempDir
    Path dir;

    @Test
    void mailThroughSmtpIsCountedAndTheServerIsHealthy() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("users.passwd"), "alice@example.test:{PLAIN}a\n");
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                smtp: { listeners: [ { name: mx, bind: 127.0.0.1, port: 0 } ] }
                spool: ../spool
                storage: { maildir: { root: ../mail } }
                metrics: { http: "127.0.0.1:0" }
                """);
        Files.writeString(conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: RecipientIsLocal, class: LocalDelivery }
                      - { match: All, class: Null }
                """);
        try (PostletServer server = PostletServer.start(conf, dir)) {
            try (Socket s = new Socket("127.0.0.1", server.port("mx"))) {
                OutputStream out = s.getOutputStream();
                out.write(("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<alice@example.test>\r\n"
                        + "DATA\r\nSubject: m\r\n\r\nhi\r\n.\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                s.getInputStream().readAllBytes(); // until the server closes after QUIT
            }
            int port = server.metricsAddress().orElseThrow().getPort();
            MetricsScrape scrape = MetricsScrape.await(port, Duration.ofSeconds(10),
                    m -> m.find("postlet_delivery_delivered_total", Map.of()).orElse(0) == 1
                            && m.find("postlet_spool_depth", Map.of()).orElse(-1) == 0);
            assertThat(scrape.value("postlet_delivery_delivered_total")).isEqualTo(1.0);
            assertThat(scrape.value("postlet_smtp_messages_accepted_total")).isEqualTo(1.0);
            assertThat(scrape.value("postlet_smtp_connections_total", Map.of("listener", "mx"))).isEqualTo(1.0);
            assertThat(scrape.value("postlet_smtp_rejected_messages_total", Map.of("reason", "unknown-user"))).isEqualTo(1.0);
            assertThat(scrape.value("postlet_pipeline_mailet_time_count", Map.of("mailet", "LocalDelivery", "processor", "root")))
                    .isEqualTo(1.0);
            assertThat(scrape.value("postlet_spool_depth")).isZero();

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
        }
    }
}
