package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmtpMetricsTest {

    @Test
    void countersAreExportedAtZeroBeforeTheirFirstEvent() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        new SmtpMetrics(registry).registerAtZero(List.of("mx", "submission"));
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0", registry,
                () -> new Health(List.of(Health.Check.ok("smtp.mx"))))) {
            MetricsScrape scrape = MetricsScrape.fetch(endpoint.address().getPort());
            assertThat(scrape.value("postlet_smtp_connections_total", Map.of("listener", "submission"))).isZero();
            assertThat(scrape.value("postlet_smtp_auth_failures_total", Map.of("listener", "mx"))).isZero();
            assertThat(scrape.value("postlet_smtp_rejected_messages_total", Map.of("reason", "relay"))).isZero();
            assertThat(scrape.value("postlet_smtp_messages_accepted_total")).isZero();
            assertThat(scrape.value("postlet_delivery_failures_permanent_total")).isZero();
            assertThat(scrape.value("postlet_smtp_connections_open", Map.of("listener", "mx"))).isZero();
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
