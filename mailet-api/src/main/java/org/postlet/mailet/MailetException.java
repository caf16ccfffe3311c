package org.postlet.mailet;

import jakarta.mail.MessagingException;

/**
 * A mailet or matcher could not do its work: it was configured wrongly (thrown from {@code init})
 * or failed on a mail (thrown from {@code service} or {@code match}).
 */
public class MailetException extends MessagingException {

    /** @param message what went wrong and, where possible, how to fix it */
    public MailetException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public MailetException(String message, Exception cause) {
        super(message, cause);
    }
}
