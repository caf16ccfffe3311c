/**
 * What an operator sees of a running server: the metric names ({@link org.postlet.server.metrics.ServerMetric}),
 * the HTTP endpoint on {@code metrics.http} ({@code GET /metrics} in Prometheus text format, {@code GET /health})
 * and the JMX export of the same Dropwizard registry.
 */
package org.postlet.server.metrics;
