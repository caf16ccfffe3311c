package org.postlet.maildir;

import java.nio.file.Path;
import org.postlet.mailet.MailAddress;

/**
 * A message stored in a mailbox.
 *
 * @param recipient the mailbox owner
 * @param file      the file in {@code new/}
 * @param size      the file's size in bytes, as given in its {@code ,S=} name suffix
 */
public record DeliveryResult(MailAddress recipient, Path file, long size) {
}
