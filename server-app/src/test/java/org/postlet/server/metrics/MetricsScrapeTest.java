package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tests read /metrics through MetricsScrape: it must find the very sample asked for, and nothing else. */
class MetricsScrapeTest {

    private final MetricsScrape scrape = MetricsScrape.parse("""
            # HELP postlet_spool_depth Mails in the queue
            # TYPE postlet_spool_depth gauge
            postlet_spool_depth 3.0
            postlet_pipeline_mailet_time_count{mailet="LocalDelivery",processor="root"} 1
            postlet_remote_domain_failed_total{domain="a\\"b\\\\c,d=e"} 2.0
            postlet_remote_domain_failed_total{domain="remote.test"} 5.0 1700000000000
            postlet_pipeline_mailet_time{mailet="X",processor="root",quantile="0.5"} NaN
            """);

    @Test
    void findsASampleByNameAndExactLabels() {
        assertThat(scrape.value("postlet_spool_depth")).isEqualTo(3.0);
        assertThat(scrape.value("postlet_pipeline_mailet_time_count", Map.of("processor", "root", "mailet", "LocalDelivery")))
                .isEqualTo(1.0);
        assertThat(scrape.value("postlet_remote_domain_failed_total", Map.of("domain", "remote.test"))).isEqualTo(5.0);
        assertThat(scrape.value("postlet_remote_domain_failed_total", Map.of("domain", "a\"b\\c,d=e"))).isEqualTo(2.0);
        assertThat(scrape.value("postlet_pipeline_mailet_time", Map.of("mailet", "X", "processor", "root", "quantile", "0.5")))
                .isNaN();
    }

    @Test
    void aSampleWithOtherLabelsIsNotTheOneAskedFor() {
        assertThat(scrape.find("postlet_pipeline_mailet_time_count", Map.of("mailet", "LocalDelivery"))).isEmpty();
        assertThat(scrape.find("postlet_remote_domain_failed_total", Map.of())).isEmpty();
        assertThat(scrape.find("postlet_spool", Map.of())).isEmpty();
        assertThatThrownBy(() -> scrape.value("postlet_spool_deferred")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("postlet_spool_depth 3.0");
    }
}
