package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

class SmtpMetricsTest {

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
