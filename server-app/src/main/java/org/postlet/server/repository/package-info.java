/** Where mailets keep mail for an operator ({@code ToRepository}, {@code var/error}). */
package org.postlet.server.repository;
