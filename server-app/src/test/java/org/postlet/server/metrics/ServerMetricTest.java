package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServerMetricTest {

    @Test
    void labelValuesFillTheStarsAndCannotShiftSegments() {
        assertThat(ServerMetric.SMTP_CONNECTIONS.dropwizardName("mx")).isEqualTo("smtp.mx.connections");
        assertThat(ServerMetric.PIPELINE_MAILET_TIME.dropwizardName("relay-denied", "org.acme.Spam Filter"))
                .isEqualTo("pipeline.mailet.relay-denied.org_acme_Spam_Filter.time");
        assertThat(ServerMetric.SPOOL_DEPTH.dropwizardName()).isEqualTo("spool.depth");
    }

    @Test
    void theWrongNumberOfLabelValuesIsRefused() {
        assertThatThrownBy(() -> ServerMetric.SMTP_CONNECTIONS.dropwizardName())
                .hasMessageContaining("SMTP_CONNECTIONS takes 1 label value(s) [listener]");
    }

    @Test
    void prometheusNamesAreUniqueAndPrefixed() {
        Set<String> names = new HashSet<>();
        for (ServerMetric m : ServerMetric.values()) {
            assertThat(m.prometheusName()).startsWith("postlet_").matches("[a-z_]+");
            assertThat(names.add(m.prometheusName())).as(m.prometheusName()).isTrue();
        }
    }
}
