package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
            InetSocketAddress metrics = server.metricsAddress().orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + metrics.getPort();
            String body = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!(body.contains("postlet_delivery_delivered_total 1.0") && body.contains("postlet_spool_depth 0.0"))
                    && System.nanoTime() < deadline) {
                body = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(20);
            }
            assertThat(body).contains("postlet_delivery_delivered_total 1.0");
            assertThat(body).contains("postlet_smtp_messages_accepted_total 1.0");
            assertThat(body).contains("postlet_smtp_connections_total{listener=\"mx\"} 1.0");
            assertThat(body).contains("postlet_smtp_rejected_messages_total{reason=\"unknown-user\"} 1.0");
            assertThat(body).containsPattern("postlet_pipeline_mailet_time_count\\{mailet=\"LocalDelivery\",processor=\"root\"} 1");
            assertThat(body).contains("postlet_spool_depth 0.0");

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
        }
    }
}
