package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class JmxExportTest {

    @Test
    void registersMetricsAsMBeansAndRemovesThemOnClose() throws Exception {
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        MetricRegistry registry = new MetricRegistry();
        registry.counter(ServerMetric.SMTP_CONNECTIONS_OPEN.dropwizardName("jmxtest")).inc(4);
        ObjectName name = new ObjectName("org.postlet:name=smtp.jmxtest.connections.open,type=counters");

        try (JmxExport jmx = JmxExport.start(registry)) {
            assertThat(mbeans.getAttribute(name, "Count")).isEqualTo(4L);
        }
        assertThat(mbeans.isRegistered(name)).isFalse();
    }
}
