package org.postlet.maildir;

import java.util.Objects;
import java.util.Optional;
import org.postlet.mailet.MailAddress;

/**
 * One message for one mailbox.
 *
 * @param recipient  whose mailbox; also written as {@code Delivered-To:}
 * @param folder     a Maildir++ folder such as {@code Junk}, or empty for the INBOX
 * @param returnPath the envelope sender written as {@code Return-Path:}; empty for the null sender {@code <>}
 * @param content    the message
 */
public record Delivery(MailAddress recipient, Optional<String> folder, Optional<MailAddress> returnPath,
                       MessageContent content) {

    public Delivery {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(returnPath, "returnPath");
        Objects.requireNonNull(content, "content");
    }
}
