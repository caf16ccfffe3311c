/**
 * Maildir and Maildir++ delivery (cr.yp.to/proto/maildir.html): every message is written to
 * {@code tmp/}, fsync'd and only then renamed into {@code new/}, so a reader such as Dovecot never
 * sees a partial file. The rename is durable once {@code new/} is fsync'd: a delivery returns that
 * fsync as a {@link org.postlet.maildir.PendingSync} for its caller to perform or hand on, so that
 * no acknowledged delivery is lost in a crash and many deliveries can share one fsync.
 */
package org.postlet.maildir;
