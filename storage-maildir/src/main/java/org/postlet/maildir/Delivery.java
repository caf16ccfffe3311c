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
 * @param deliveryId identifies the message across retries (letters, digits and {@code -}); it is
 *                   part of the file name so {@link MaildirStore#findDelivered} can recognise a
 *                   delivery made before a crash
 */
public record Delivery(MailAddress recipient, Optional<String> folder, Optional<MailAddress> returnPath,
                       MessageContent content, Optional<String> deliveryId) {

    public Delivery {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(returnPath, "returnPath");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(deliveryId, "deliveryId");
        deliveryId.ifPresent(Delivery::checkId);
    }

    /** A delivery without a delivery id. */
    public Delivery(MailAddress recipient, Optional<String> folder, Optional<MailAddress> returnPath, MessageContent content) {
        this(recipient, folder, returnPath, content, Optional.empty());
    }

    static void checkId(String id) {
        if (id.isEmpty() || id.length() > 64 || !id.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '-'))) {
            throw new IllegalArgumentException("a delivery id is 1 to 64 ASCII letters, digits and '-', got '" + id + "'");
        }
    }
}
