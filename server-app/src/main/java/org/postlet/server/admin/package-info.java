/**
 * What operators use to see and steer a running server: the admin API under {@code /api/} and the
 * web console at {@code /}, both on the {@code metrics.http} listener and both behind the bearer
 * token of {@code admin.token}; {@code bin/postlet queue} is a client of the same API.
 */
package org.postlet.server.admin;
