package org.postlet.smtp.policy;

import org.postlet.mailet.MailAddress;

/**
 * Decides at RCPT time whether a recipient is accepted, so nothing that would bounce later is
 * accepted now (no backscatter) and the server is never an open relay.
 */
public interface RecipientPolicy {

    /** Decides for one recipient of the current transaction. Runs on the event loop: must not block. */
    Verdict check(Client client, MailAddress recipient);

    /**
     * The address {@code RCPT TO:<postmaster>} without a domain stands for (RFC 5321 §4.5.1); it is
     * then checked with {@link #check} like any recipient.
     *
     * @param hostname the server's host name
     * @return by default {@code postmaster@hostname}
     */
    default MailAddress postmaster(String hostname) {
        return new MailAddress("postmaster", hostname);
    }
}
