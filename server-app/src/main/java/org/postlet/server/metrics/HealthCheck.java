package org.postlet.server.metrics;

/**
 * Answers {@code GET /health}. Called on the endpoint's thread for every request, so it must be
 * quick and must not block on mail processing.
 */
@FunctionalInterface
public interface HealthCheck {

    /** Checks now. An exception counts as "down" with its message as the problem. */
    Health check();
}
