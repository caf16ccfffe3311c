package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpMetricsTest {

    @Test
    void countersAreExportedAtZeroBeforeTheirFirstEvent() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        new SmtpMetrics(registry).registerAtZero(List.of("mx", "submission"));
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0", registry,
                () -> new Health(List.of(Health.Check.ok("smtp.mx"))))) {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("postlet_smtp_connections_total{listener=\"submission\"} 0.0")
                    .contains("postlet_smtp_auth_failures_total{listener=\"mx\"} 0.0")
                    .contains("postlet_smtp_rejected_messages_total{reason=\"relay\"} 0.0")
                    .contains("postlet_smtp_messages_accepted_total 0.0")
                    .contains("postlet_delivery_failures_permanent_total 0.0")
                    .contains("postlet_smtp_connections_open{listener=\"mx\"} 0.0");
        }
    }

    @Test
    void aRefusedSenderIsNotCountedAsARelayAttempt() {
        MetricRegistry registry = new MetricRegistry();
        SmtpMetrics metrics = new SmtpMetrics(registry);
        metrics.refused("submission", 553, "5.7.1");
        metrics.refused("mx", 554, "5.7.1");
        metrics.refused("mx", 554, "5.7.1");
        assertThat(registry.meter(ServerMetric.SMTP_MESSAGES_REJECTED.dropwizardName("sender-login")).getCount()).isEqualTo(1);
        assertThat(registry.meter(ServerMetric.SMTP_MESSAGES_REJECTED.dropwizardName("relay")).getCount()).isEqualTo(2);
    }
}
