package org.postlet.server.metrics;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Dropwizard bridge, with one metric per name. The bridge turns every Dropwizard metric into
 * its own Prometheus metric, so two Dropwizard metrics that are one labelled Prometheus metric
 * ({@code pipeline.mailet.root.LogMessage.time} and {@code pipeline.mailet.root.LocalDelivery.time})
 * collide and the scrape fails. This collects each Dropwizard metric through the bridge on its
 * own and merges the results that share a name into one metric with several label sets.
 */
final class MergedDropwizardExports implements MultiCollector {

    private final MetricRegistry registry;
    private final CustomLabelMapper labels;

    MergedDropwizardExports(MetricRegistry registry, CustomLabelMapper labels) {
        this.registry = registry;
        this.labels = labels;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, List<MetricSnapshot>> byName = new LinkedHashMap<>();
        for (String name : registry.getNames()) {
            for (MetricSnapshot s : new DropwizardExports(registry, (n, m) -> n.equals(name), labels).collect()) {
                byName.computeIfAbsent(s.getMetadata().getPrometheusName(), k -> new ArrayList<>()).add(s);
            }
        }
        List<MetricSnapshot> merged = new ArrayList<>(byName.size());
        byName.values().forEach(same -> merged.add(withDomains(merge(same))));
        return new MetricSnapshots(merged);
    }

    /** Gives a {@link ServerMetric#DOMAIN_LABEL} its dots back (they are {@code _} in the Dropwizard name). */
    private static MetricSnapshot withDomains(MetricSnapshot snapshot) {
        if (!(snapshot instanceof CounterSnapshot counters)
                || counters.getDataPoints().stream().noneMatch(p -> p.getLabels().contains(ServerMetric.DOMAIN_LABEL))) {
            return snapshot;
        }
        List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>();
        for (CounterSnapshot.CounterDataPointSnapshot p : counters.getDataPoints()) {
            Labels labels = p.getLabels();
            List<String> names = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                names.add(labels.getName(i));
                values.add(labels.getName(i).equals(ServerMetric.DOMAIN_LABEL) ? labels.getValue(i).replace('_', '.')
                        : labels.getValue(i));
            }
            points.add(new CounterSnapshot.CounterDataPointSnapshot(p.getValue(), Labels.of(names, values), p.getExemplar(),
                    p.getCreatedTimestampMillis(), p.getScrapeTimestampMillis()));
        }
        return new CounterSnapshot(counters.getMetadata(), points);
    }

    private static MetricSnapshot merge(List<MetricSnapshot> same) {
        MetricSnapshot first = same.get(0);
        if (same.size() == 1) {
            return first;
        }
        if (first instanceof CounterSnapshot) {
            List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>();
            same.forEach(s -> points.addAll(((CounterSnapshot) s).getDataPoints()));
            return new CounterSnapshot(first.getMetadata(), points);
        }
        if (first instanceof GaugeSnapshot) {
            List<GaugeSnapshot.GaugeDataPointSnapshot> points = new ArrayList<>();
            same.forEach(s -> points.addAll(((GaugeSnapshot) s).getDataPoints()));
            return new GaugeSnapshot(first.getMetadata(), points);
        }
        if (first instanceof SummarySnapshot) {
            List<SummarySnapshot.SummaryDataPointSnapshot> points = new ArrayList<>();
            same.forEach(s -> points.addAll(((SummarySnapshot) s).getDataPoints()));
            return new SummarySnapshot(first.getMetadata(), points);
        }
        throw new IllegalStateException("cannot merge metrics of type " + first.getClass().getSimpleName()
                + " named " + first.getMetadata().getPrometheusName());
    }
}
