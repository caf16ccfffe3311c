package org.postlet.mailet;

/**
 * A mailet could not do its work now but may later: the disk is full, a mailbox is over quota, a
 * service is down. The server keeps the affected recipients in the spool and runs the mail again
 * later, with growing delays, until it succeeds or the retry time runs out (then the mail goes to
 * the error processor with this message). Nothing is lost and nothing is bounced meanwhile.
 */
public class TemporaryFailureException extends MailetException {

    /** @param message what failed, e.g. {@code mailbox alice@example.test is over quota} */
    public TemporaryFailureException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause   the underlying failure
     */
    public TemporaryFailureException(String message, Exception cause) {
        super(message, cause);
    }
}
