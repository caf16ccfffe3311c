/**
 * The mailet API: what a mailet or matcher author codes against.
 *
 * <p>A {@link org.postlet.mailet.Mail} travels through named processors; in each, a
 * {@link org.postlet.mailet.Matcher} picks recipients and a {@link org.postlet.mailet.Mailet}
 * acts on the mail for them. Nothing in this package depends on the server's internals, so a
 * mailet compiled against it runs in any Postlet server of the same major version.
 */
package org.postlet.mailet;
