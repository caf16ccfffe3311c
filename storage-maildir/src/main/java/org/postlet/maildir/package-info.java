/**
 * Maildir and Maildir++ delivery (cr.yp.to/proto/maildir.html): every message is written to
 * {@code tmp/}, fsync'd and only then linked into {@code new/}, so a reader such as Dovecot never
 * sees a partial file and a crash never loses an acknowledged delivery.
 */
package org.postlet.maildir;
