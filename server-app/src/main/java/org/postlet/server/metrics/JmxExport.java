package org.postlet.server.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;

/**
 * The server's metrics as JMX MBeans in the domain {@value #DOMAIN}, one per Dropwizard name
 * (e.g. {@code org.postlet:name=spool.depth,type=gauges}), for jconsole, VisualVM or a JMX agent.
 */
public final class JmxExport implements AutoCloseable {

    /** The JMX domain the MBeans are registered in. */
    public static final String DOMAIN = "org.postlet";

    private final JmxReporter reporter;

    private JmxExport(JmxReporter reporter) {
        this.reporter = reporter;
    }

    /** Registers every metric of {@code registry}, and every one added later, as an MBean. */
    public static JmxExport start(MetricRegistry registry) {
        JmxReporter reporter = JmxReporter.forRegistry(registry).inDomain(DOMAIN).build();
        reporter.start();
        return new JmxExport(reporter);
    }

    /** Unregisters the MBeans, so a second server in the same JVM (tests) can register its own. */
    @Override
    public void close() {
        reporter.close();
    }
}
